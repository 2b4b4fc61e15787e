using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.ParameterServer;

/// <summary>
/// The full training state at one version, put together from every shard's chunks: the weights (slot 0) and each
/// optimizer slot as flat vectors, and the optimizer's step count.
/// </summary>
public sealed class StateAssembly(int[] shardOffsets, long version, int slots)
{
    private readonly WeightsAssembly[] _slots = Enumerable.Range(0, slots).Select(_ => new WeightsAssembly(shardOffsets, version)).ToArray();

    public long Version { get; } = version;

    public long OptimizerSteps { get; private set; }

    public bool IsComplete => _slots.All(s => s.IsComplete);

    public void Add(ParameterServerReplies.StateChunk chunk)
    {
        if (chunk.Version != Version) return;
        if (chunk.Slots != _slots.Length || (uint)chunk.Slot >= (uint)_slots.Length)
            throw new InvalidDataException($"state slot {chunk.Slot} of {chunk.Slots}; expected {_slots.Length} slots");
        OptimizerSteps = chunk.OptimizerSteps;
        _slots[chunk.Slot].Add(new ParameterServerReplies.WeightsChunk(chunk.JobId, chunk.Shard, chunk.Version, chunk.Chunk, chunk.Values));
    }

    /// <summary>Slot 0 is the weights; slot i + 1 is the optimizer's i-th slot.</summary>
    public float[] Slot(int slot) => _slots[slot].Values();
}
