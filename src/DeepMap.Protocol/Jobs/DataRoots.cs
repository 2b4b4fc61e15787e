namespace DeepMap.Protocol.Jobs;

/// <summary>
/// The directories a job may read data from. A job names files relative to them; a path that is absolute or climbs
/// out of every root is refused, so a job spec can never read arbitrary files of the coordinator's machine.
/// </summary>
public sealed class DataRoots
{
    public DataRoots(IEnumerable<string> roots)
    {
        Roots = roots.Select(r => Path.GetFullPath(r).TrimEnd(Path.DirectorySeparatorChar)).ToArray();
        if (Roots.Count == 0) throw new ArgumentException("at least one data root is needed");
    }

    public IReadOnlyList<string> Roots { get; }

    /// <summary>The full path of a data file, or a <see cref="JobSpecException"/> at <paramref name="specPath"/>.</summary>
    public string Resolve(string relative, string specPath)
    {
        if (Path.IsPathRooted(relative) || relative.StartsWith('~'))
            throw new JobSpecException(specPath, $"'{relative}' must be relative to a data root ({string.Join(", ", Roots)})");
        foreach (var root in Roots)
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new JobSpecException(specPath, $"'{relative}' leaves the data roots");
            if (File.Exists(full)) return full;
        }
        throw new JobSpecException(specPath, $"no file '{relative}' under the data roots ({string.Join(", ", Roots)})");
    }
}
