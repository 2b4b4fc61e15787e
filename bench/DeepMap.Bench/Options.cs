using System.Globalization;

namespace DeepMap.Bench;

/// <summary>A bad command line: reported in one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command line, checked before anything runs.</summary>
internal sealed record Options(double Seconds, int Threads, IReadOnlyList<Workload> Workloads)
{
    public static Options Parse(string[] args)
    {
        if (args.Length == 0 || args[0] != "cpu")
            throw new UsageException(args.Length == 0 ? "missing mode" : $"unknown mode '{args[0]}'");
        var seconds = 3.0;
        var threads = DefaultThreads();
        IReadOnlyList<Workload> selected = Bench.Workloads.All;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            // Both `--name value` and `--name=value`, as the peer's argparse accepts.
            var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, v)
                : (arg, i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value"));
            switch (name)
            {
                case "--seconds":
                    seconds = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && double.IsFinite(s)
                        ? s : throw new UsageException($"--seconds must be a positive number, got '{value}'");
                    break;
                case "--threads":
                    threads = ParseThreads(value, "--threads");
                    break;
                case "--only":
                    selected = SelectWorkloads(value);
                    break;
                default:
                    throw new UsageException($"unknown argument '{name}'");
            }
        }
        return new Options(seconds, threads, selected);
    }

    /// <summary>Every core, unless DEEPMAP_THREADS names a count (read here only, once, before --threads overrides it).</summary>
    private static int DefaultThreads() =>
        Environment.GetEnvironmentVariable("DEEPMAP_THREADS") is { Length: > 0 } env
            ? ParseThreads(env, "DEEPMAP_THREADS")
            : Environment.ProcessorCount;

    private static int ParseThreads(string value, string source) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n : throw new UsageException($"{source} must be a positive integer, got '{value}'");

    private static List<Workload> SelectWorkloads(string list)
    {
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new UsageException("--only needs at least one workload");
        return names.Select(name => Bench.Workloads.All.FirstOrDefault(w => w.Name == name)
            ?? throw new UsageException($"unknown workload '{name}' (known: {string.Join(",", Bench.Workloads.All.Select(w => w.Name))})")).ToList();
    }
}
