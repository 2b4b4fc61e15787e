using DeepMap.Protocol.Messaging;

namespace DeepMap.Coordinator.ParameterServer;

/// <summary>One partition's part of one step on a shard: its gradient slice as it arrives (none when the partition had no rows left), its samples and mean loss.</summary>
public sealed record Contribution(ChunkAssembler? Gradient, int Samples, double Loss)
{
    public bool IsComplete => Gradient is null || Gradient.IsComplete;
}
