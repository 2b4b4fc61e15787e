using System.Globalization;
using DeepMap.Protocol.Cluster;
using DeepMap.Worker.Health;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Worker;

/// <summary>
/// The worker's settings, bound once from configuration: the node part (DEEPMAP_SEEDS must name the coordinator) and
/// how long the coordinator may stay unreachable before this node leaves its cluster and joins again through the seeds
/// (DEEPMAP_REJOIN_AFTER, seconds) — how a worker follows a coordinator that restarted — and its probes' port.
/// </summary>
public sealed record WorkerSettings(NodeSettings Node, TimeSpan RejoinAfter, HealthSettings Health)
{
    /// <summary>
    /// DEEPMAP_STRAGGLE_MS: a pause before every gradient this worker computes, to rehearse a straggler (what backup
    /// partitions are for) in tests and demos. Zero unless set.
    /// </summary>
    public TimeSpan Straggle { get; init; }

    public static WorkerSettings From(IConfiguration configuration)
    {
        var node = NodeSettings.From(configuration, defaultPort: 0);
        if (node.Seeds.Count == 0) throw new ArgumentException("DEEPMAP_SEEDS is empty: name the coordinator, e.g. DEEPMAP_SEEDS=127.0.0.1:4053");
        var text = configuration["REJOIN_AFTER"];
        var seconds = 10.0;
        if (text is not null && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !(seconds > 0) || seconds > 86400))
            throw new ArgumentException($"DEEPMAP_REJOIN_AFTER: '{text}' is not a number of seconds in (0, 86400]");
        var straggle = configuration["STRAGGLE_MS"];
        var milliseconds = 0;
        if (straggle is not null && (!int.TryParse(straggle, NumberStyles.Integer, CultureInfo.InvariantCulture, out milliseconds) || milliseconds is < 0 or > 60_000))
            throw new ArgumentException($"DEEPMAP_STRAGGLE_MS: '{straggle}' is not a whole number of milliseconds in [0, 60000]");
        return new WorkerSettings(node, TimeSpan.FromSeconds(seconds), HealthSettings.From(configuration)) { Straggle = TimeSpan.FromMilliseconds(milliseconds) };
    }
}
