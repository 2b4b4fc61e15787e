using Akka.Cluster.Sharding;

namespace DeepMap.Protocol.Messaging;

/// <summary>Routes partition messages to the entity "{job}/{partition}" of the "partition" region.</summary>
public sealed class PartitionMessageExtractor(int maxShards = 100) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IPartitionMessage m => EntityName(m.JobId, m.Partition),
        _ => null,
    };

    public static string EntityName(string jobId, int partition) => $"{jobId}/{partition}";
}
