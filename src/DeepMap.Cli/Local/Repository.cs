namespace DeepMap.Cli.Local;

/// <summary>The DeepMap checkout this CLI belongs to, where `local up` finds the node executables.</summary>
public static class Repository
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "DeepMap.sln"))) return d.FullName;
        throw new CliException("'deepmap local' starts the coordinator and workers of a DeepMap checkout; run it from one", ExitCodes.BadInput);
    }

    public static string Executable(string repository, string project)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var dll = Path.Combine(repository, "src", project, "bin", configuration, "net10.0", project + ".dll");
            if (File.Exists(dll)) return dll;
        }
        throw new CliException($"{project} is not built; run ./deepmap from the repository root (it builds), or dotnet build -c Release", ExitCodes.BadInput);
    }
}
