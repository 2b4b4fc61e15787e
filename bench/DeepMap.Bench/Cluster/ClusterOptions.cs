using System.Globalization;

namespace DeepMap.Bench.Cluster;

/// <summary>
/// The command line of the cluster modes, as `--name value` or `--name=value`:
/// <code>
/// exchange [--mb 16] [--reps 9] [--warmup 5]
///     a float array of MB MiB from one process to another: as WeightsChunk messages over Akka remoting (the nodes'
///     AddDeepMapNode setup, ProtocolSerializer, 1 MiB chunks), and over a plain loopback TCP socket; median of reps.
/// scaling [--workers 1,2] [--jobs bench/jobs] [--only mlp,cnn] [--batch 64] [--partitions per-worker|N]
///         [--seconds 20] [--warmup-seconds 5] [--reps 21]
///     each job of bench/jobs/cluster-*.yaml on a coordinator and 1, then 2 worker processes (DEEPMAP_THREADS=1),
///     batch per worker fixed; samples/s over a window after warm-up; a sync step split into compute, transfer and
///     the rest, each part measured on its own (see ScalingBench).
/// </code>
/// </summary>
internal sealed class ClusterOptions
{
    private readonly Dictionary<string, string> _values = [];

    private ClusterOptions(string mode) => Mode = mode;

    public string Mode { get; }

    public static ClusterOptions Parse(string[] args)
    {
        var options = new ClusterOptions(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, v)
                : (arg, i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value"));
            options._values[name[2..]] = value;
        }
        var known = options.Mode == "exchange"
            ? new[] { "mb", "reps", "warmup" }
            : ["workers", "jobs", "only", "batch", "partitions", "seconds", "warmup-seconds", "reps"];
        foreach (var name in options._values.Keys)
            if (!known.Contains(name)) throw new UsageException($"unknown argument '--{name}' for {options.Mode}");
        return options;
    }

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback, int min = 1) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min ? n
        : throw new UsageException($"--{name} must be a whole number ≥ {min}, got '{text}'");

    public double Seconds(string name, double fallback) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && double.IsFinite(s) ? s
        : throw new UsageException($"--{name} must be a positive number, got '{text}'");

    public int[] Ints(string name, string fallback) =>
        Text(name, fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
                : throw new UsageException($"--{name} takes whole numbers ≥ 1, got '{t}'"))
            .ToArray();
}
