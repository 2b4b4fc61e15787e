using System.Globalization;
using System.Text;

namespace DeepMap.Tensors.Data;

/// <summary>
/// Numeric CSV tables such as Boston housing: a header row naming the columns, then one comma-separated row of numbers per
/// line. Cells are trimmed and may be double-quoted (with <c>""</c> for a quote inside); empty lines are skipped. Quoted
/// cells cannot span lines, so line numbers in errors are always physical lines of the file.
/// </summary>
public static class CsvFile
{
    public static CsvTable Read(string path, string targetColumn)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path, targetColumn);
    }

    /// <param name="reader">The CSV text, header first.</param>
    /// <param name="sourceName">Names the data in error messages, usually its file path.</param>
    /// <param name="targetColumn">The header name of the column to return as <see cref="CsvTable.Target"/>.</param>
    public static CsvTable Read(TextReader reader, string sourceName, string targetColumn)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(targetColumn);
        string[]? header = null;
        var targetIndex = -1;
        var features = new List<float>();
        var target = new List<float>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = SplitLine(line, sourceName, lineNumber);
            if (header is null)
            {
                header = cells.ToArray();
                CheckUniqueNames(header, sourceName, lineNumber);
                targetIndex = Array.IndexOf(header, targetColumn);
                if (targetIndex < 0)
                    throw new ArgumentException(
                        $"{sourceName}: no column '{targetColumn}'; the columns are {string.Join(", ", header.Select(h => $"'{h}'"))}");
                continue;
            }
            if (cells.Count != header.Length)
                throw new InvalidDataException($"{sourceName}:{lineNumber}: {cells.Count} cells, expected {header.Length} as in the header");
            for (var c = 0; c < cells.Count; c++)
            {
                var value = ParseCell(cells[c], header[c], c, sourceName, lineNumber);
                (c == targetIndex ? target : features).Add(value);
            }
        }
        if (header is null) throw new InvalidDataException($"{sourceName}: no header row, the file has no non-empty line");

        var featureNames = header.Where((_, c) => c != targetIndex).ToArray();
        return new CsvTable(featureNames, targetColumn, features.ToArray(), target.ToArray(), target.Count);
    }

    private static List<string> SplitLine(string line, string source, int lineNumber)
    {
        var cells = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i < line.Length && line[i] == '"')
            {
                var quoted = new StringBuilder();
                var opening = i++;
                while (true)
                {
                    if (i == line.Length)
                        throw new InvalidDataException($"{source}:{lineNumber}: the quote opened at character {opening + 1} is never closed");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            quoted.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    quoted.Append(line[i++]);
                }
                while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
                if (i < line.Length && line[i] != ',')
                    throw new InvalidDataException($"{source}:{lineNumber}: unexpected '{line[i]}' at character {i + 1}, after a quoted cell");
                cells.Add(quoted.ToString());
            }
            else
            {
                var end = line.IndexOf(',', i);
                if (end < 0) end = line.Length;
                cells.Add(line[i..end].TrimEnd());
                i = end;
            }
            if (i == line.Length) return cells;
            i++;
        }
    }

    private static void CheckUniqueNames(string[] header, string source, int lineNumber)
    {
        for (var c = 0; c < header.Length; c++)
        {
            var first = Array.IndexOf(header, header[c]);
            if (first < c)
                throw new InvalidDataException($"{source}:{lineNumber}: column name '{header[c]}' appears twice, as columns {first + 1} and {c + 1}");
        }
    }

    private static float ParseCell(string cell, string column, int index, string source, int lineNumber)
    {
        // NaN and overflow to infinity parse, but they would poison every statistic and gradient downstream.
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)) return value;
        var problem = cell.Length == 0 ? "empty cell, expected a number"
            : float.IsFinite(value) ? $"'{cell}' is not a number"
            : $"'{cell}' is not a finite float";
        throw new FormatException($"{source}:{lineNumber}: column '{column}' ({index + 1}): {problem}");
    }
}
