using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.ParameterServer;

/// <summary>
/// One version of the full parameter vector, put together from every shard's chunks — or, for
/// <see cref="ShardCommands.GetWeights.Latest"/>, each shard's slice at the first version it answered with (the
/// asynchronous modes, where shards apply contributions independently).
/// </summary>
public sealed class WeightsAssembly
{
    private readonly int[] _offsets;
    private readonly ChunkAssembler[] _shards;
    private readonly long[] _shardVersions;

    public WeightsAssembly(int[] shardOffsets, long version)
    {
        _offsets = shardOffsets;
        Version = version;
        _shards = Enumerable.Range(0, shardOffsets.Length - 1).Select(s => new ChunkAssembler(shardOffsets[s + 1] - shardOffsets[s])).ToArray();
        _shardVersions = Enumerable.Repeat(version, _shards.Length).ToArray();
    }

    public long Version { get; }

    public bool IsComplete => _shards.All(s => s.IsComplete);

    public void Add(ShardReplies.WeightsChunk chunk)
    {
        if ((uint)chunk.Shard >= (uint)_shards.Length) throw new InvalidDataException($"weights of shard {chunk.Shard}; there are {_shards.Length}");
        if (_shardVersions[chunk.Shard] == ShardCommands.GetWeights.Latest) _shardVersions[chunk.Shard] = chunk.Version;
        if (chunk.Version != _shardVersions[chunk.Shard]) return;
        _shards[chunk.Shard].Add(chunk.Chunk, chunk.Values);
    }

    public float[] Values()
    {
        var all = new float[_offsets[^1]];
        for (var s = 0; s < _shards.Length; s++) _shards[s].Values.CopyTo(all, _offsets[s]);
        return all;
    }

    /// <summary>Cuts the flat vector into contiguous, nearly equal shard slices.</summary>
    public static int[] ShardOffsets(int parameters, int shards) =>
        Enumerable.Range(0, shards + 1).Select(s => (int)((long)parameters * s / shards)).ToArray();
}
