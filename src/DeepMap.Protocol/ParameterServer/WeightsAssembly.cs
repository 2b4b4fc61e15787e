using DeepMap.Protocol.Messaging;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.ParameterServer;

/// <summary>
/// One version of the full parameter vector, put together from every shard's chunks — or, for
/// <see cref="ParameterServerCommands.GetWeights.Latest"/>, each shard's slice at the first version it answered with (the
/// asynchronous modes, where shards apply contributions independently). Complete, it is read-only and may be shared:
/// each holder <see cref="Retain"/>s it and <see cref="Release"/>s it when done, and the last release hands its
/// arrays back to <see cref="ChunkPool"/>. A holder that never releases only keeps them from being reused.
/// </summary>
public sealed class WeightsAssembly
{
    private readonly int[] _offsets;
    private readonly ChunkAssembler[] _shards;
    private readonly long[] _shardVersions;
    private int _holders;

    public WeightsAssembly(int[] shardOffsets, long version)
    {
        _offsets = shardOffsets;
        Version = version;
        _shards = Enumerable.Range(0, shardOffsets.Length - 1).Select(s => new ChunkAssembler(shardOffsets[s + 1] - shardOffsets[s])).ToArray();
        _shardVersions = Enumerable.Repeat(version, _shards.Length).ToArray();
    }

    public long Version { get; }

    public bool IsComplete => _shards.All(s => s.IsComplete);

    public void Add(ParameterServerReplies.WeightsChunk chunk)
    {
        if ((uint)chunk.Shard >= (uint)_shards.Length) throw new InvalidDataException($"weights of shard {chunk.Shard}; there are {_shards.Length}");
        if (_shardVersions[chunk.Shard] == ParameterServerCommands.GetWeights.Latest) _shardVersions[chunk.Shard] = chunk.Version;
        if (chunk.Version != _shardVersions[chunk.Shard]) return;
        _shards[chunk.Shard].Add(chunk.Chunk, chunk.Values);
    }

    /// <summary>The full vector as one new array.</summary>
    public float[] Values()
    {
        var all = new float[_offsets[^1]];
        CopyTo(all);
        return all;
    }

    public void CopyTo(Span<float> destination)
    {
        for (var s = 0; s < _shards.Length; s++)
            foreach (var (offset, values) in _shards[s].Pieces())
                values.CopyTo(destination[(_offsets[s] + offset)..]);
    }

    /// <summary>Writes the vector into a model's parameters, straight from the chunks as they arrived.</summary>
    public void WriteTo(IReadOnlyList<Parameter> parameters)
    {
        if (ParameterVector.Length(parameters) != _offsets[^1])
            throw new ArgumentException($"weights of {_offsets[^1]} values for a model of {ParameterVector.Length(parameters)} parameters");
        for (var s = 0; s < _shards.Length; s++)
            foreach (var (offset, values) in _shards[s].Pieces())
                ParameterVector.WriteValues(parameters, _offsets[s] + offset, values);
    }

    public WeightsAssembly Retain()
    {
        Interlocked.Increment(ref _holders);
        return this;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0) return;
        foreach (var shard in _shards) shard.Recycle();
    }

    /// <summary>Cuts the flat vector into contiguous, nearly equal shard slices.</summary>
    public static int[] ShardOffsets(int parameters, int shards) =>
        Enumerable.Range(0, shards + 1).Select(s => (int)((long)parameters * s / shards)).ToArray();
}
