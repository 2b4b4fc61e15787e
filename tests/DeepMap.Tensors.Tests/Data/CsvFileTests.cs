using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Data;

public sealed class CsvFileTests
{
    [Fact]
    public void Table_splits_target_from_features_in_file_order()
    {
        const string csv = """
            CRIM, MEDV ,RM
            0.5,24,6.5

              1e-1 , "21.5",  -3
            """;

        var table = CsvFile.Read(new StringReader(csv), "boston.csv", "MEDV");

        Assert.Equal(["CRIM", "RM"], table.FeatureNames);
        Assert.Equal("MEDV", table.TargetName);
        Assert.Equal(2, table.Rows);
        Assert.Equal([0.5f, 6.5f, 0.1f, -3f], table.Features);
        Assert.Equal([24f, 21.5f], table.Target);
    }

    [Fact]
    public void File_path_overload_reads_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"deepmap-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,y\r\n1,2\r\n3,4\r\n");
        try
        {
            var table = CsvFile.Read(path, "x");

            Assert.Equal(["y"], table.FeatureNames);
            Assert.Equal([2f, 4f], table.Features);
            Assert.Equal([1f, 3f], table.Target);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Quoted_cells_may_hold_commas_and_doubled_quotes()
    {
        const string csv = "\"size, m2\",\"the \"\"price\"\"\"\n\"80\",\"1.5e5\"";

        var table = CsvFile.Read(new StringReader(csv), "flats.csv", "the \"price\"");

        Assert.Equal(["size, m2"], table.FeatureNames);
        Assert.Equal([80f], table.Features);
        Assert.Equal([150000f], table.Target);
    }

    [Fact]
    public void Bad_csv_cell_error_names_file_line_and_column()
    {
        const string csv = "CRIM,RM,MEDV\n0.1,6.5,24\n\n0.2,abc,21\n";

        var error = Assert.Throws<FormatException>(() => CsvFile.Read(new StringReader(csv), "boston.csv", "MEDV"));

        Assert.Equal("boston.csv:4: column 'RM' (2): 'abc' is not a number", error.Message);
    }

    [Fact]
    public void Empty_cell_error_names_file_line_and_column()
    {
        const string csv = "a,b\n1,\n";

        var error = Assert.Throws<FormatException>(() => CsvFile.Read(new StringReader(csv), "gaps.csv", "a"));

        Assert.Equal("gaps.csv:2: column 'b' (2): empty cell, expected a number", error.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e39")]
    public void Non_finite_cell_is_rejected(string cell)
    {
        var error = Assert.Throws<FormatException>(() => CsvFile.Read(new StringReader($"a,b\n1,{cell}\n"), "x.csv", "a"));

        Assert.Equal($"x.csv:2: column 'b' (2): '{cell}' is not a finite float", error.Message);
    }

    [Fact]
    public void Unknown_target_column_lists_the_available_columns()
    {
        var error = Assert.Throws<ArgumentException>(() => CsvFile.Read(new StringReader("CRIM,RM\n1,2\n"), "boston.csv", "MEDV"));

        Assert.DoesNotContain("Parameter", error.Message);
        Assert.StartsWith("boston.csv: no column 'MEDV'; the columns are 'CRIM', 'RM'", error.Message);
    }

    [Fact]
    public void Ragged_row_error_names_file_line_and_cell_counts()
    {
        const string csv = "a,b,c\n1,2,3\n4,5\n";

        var error = Assert.Throws<InvalidDataException>(() => CsvFile.Read(new StringReader(csv), "ragged.csv", "c"));

        Assert.Equal("ragged.csv:3: 2 cells, expected 3 as in the header", error.Message);
    }

    [Fact]
    public void Unclosed_quote_is_rejected_with_its_position()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvFile.Read(new StringReader("a,b\n1, \"2\n"), "q.csv", "a"));

        Assert.Equal("q.csv:2: the quote opened at character 4 is never closed", error.Message);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvFile.Read(new StringReader("a,b\n1,\"2\"x\n"), "q.csv", "a"));

        Assert.Equal("q.csv:2: unexpected 'x' at character 6, after a quoted cell", error.Message);
    }

    [Fact]
    public void Duplicate_column_names_are_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvFile.Read(new StringReader("a,b,a\n1,2,3\n"), "dup.csv", "b"));

        Assert.Equal("dup.csv:1: column name 'a' appears twice, as columns 1 and 3", error.Message);
    }

    [Fact]
    public void Input_without_a_header_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvFile.Read(new StringReader("\n  \n"), "blank.csv", "a"));

        Assert.Equal("blank.csv: no header row, the file has no non-empty line", error.Message);
    }
}
