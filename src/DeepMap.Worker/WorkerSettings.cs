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
        var read = new SettingsReader(configuration);
        return new WorkerSettings(
            Node: node,
            RejoinAfter: read.PositiveSeconds("DEEPMAP_REJOIN_AFTER", 10, 86400),
            Health: HealthSettings.From(configuration))
        {
            Straggle = read.Milliseconds("DEEPMAP_STRAGGLE_MS", 0, 0, 60_000),
        };
    }
}
