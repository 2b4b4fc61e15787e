using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Coordinator.ParameterServer;

/// <summary>The contributions a shard holds, by partition and step: gathered chunk by chunk, taken when a step applies them.</summary>
public sealed class ContributionSet(int length)
{
    private readonly Dictionary<(int Partition, long Step), Contribution> _parts = [];

    /// <summary>Adds a slice's chunk to its contribution (made on its first chunk); a chunk already there is ignored.</summary>
    public Contribution Add(ParameterServerCommands.GradientSlice slice)
    {
        var key = (slice.Partition, slice.Step);
        if (!_parts.TryGetValue(key, out var part))
            _parts[key] = part = new Contribution(slice.Samples == 0 ? null : new Protocol.Messaging.ChunkAssembler(length), slice.Samples, slice.Loss);
        part.Gradient?.Add(slice.Chunk, slice.Values);
        return part;
    }

    public bool IsComplete(int partition, long step) => _parts.TryGetValue((partition, step), out var part) && part.IsComplete;

    public bool Contains(int partition, long step) => _parts.ContainsKey((partition, step));

    public Contribution Take(int partition, long step)
    {
        _parts.Remove((partition, step), out var part);
        return part ?? throw new InvalidOperationException($"no contribution of partition {partition} to step {step}");
    }

    /// <summary>Forgets the contributions to steps before <paramref name="step"/>, returning their arrays to the pool.</summary>
    public void DropBefore(long step)
    {
        foreach (var key in _parts.Keys.Where(k => k.Step < step).ToArray())
        {
            _parts[key].Gradient?.Recycle();
            _parts.Remove(key);
        }
    }
}
