using Akka.Cluster.Sharding;

namespace DeepMap.Protocol.Messaging;

/// <summary>Routes parameter-server messages to the entity "{job}/{shard}" of the "ps" region.</summary>
public sealed class ParameterServerMessageExtractor(int maxShards = 100) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IParameterServerMessage m => $"{m.JobId}/{m.Shard}",
        _ => null,
    };
}
