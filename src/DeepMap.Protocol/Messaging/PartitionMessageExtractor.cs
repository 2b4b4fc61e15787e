using System.Globalization;
using Akka.Cluster.Sharding;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// Routes partition messages to the entity "{job}/{partition}" of the "partition" region, in shard k for partition k
/// of every job. Jobs run one after another, so each job's partitions land where the previous job's were balanced;
/// hashing the job's name instead spread each job anew over shards that earlier jobs left allocated, and the
/// least-shard allocation then often put all of a job's partitions on one worker.
/// </summary>
public sealed class PartitionMessageExtractor(int maxShards = 100) : IMessageExtractor
{
    public string? EntityId(object message) => message is IPartitionMessage m ? EntityName(m.JobId, m.Partition) : null;

    public object EntityMessage(object message) => message;

    public string? ShardId(object message) => message is IPartitionMessage m ? ShardOf(m.Partition) : null;

    public string ShardId(string entityId, object? messageHint = null) =>
        int.TryParse(entityId.AsSpan(entityId.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            ? ShardOf(partition)
            : throw new ArgumentException($"'{entityId}' is not a partition entity ({{job}}/{{partition}})", nameof(entityId));

    public static string EntityName(string jobId, int partition) => $"{jobId}/{partition}";

    private string ShardOf(int partition) => (partition % maxShards).ToString(CultureInfo.InvariantCulture);
}
