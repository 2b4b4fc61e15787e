namespace DeepMap.Protocol.Messaging;

/// <summary>
/// Collects the chunks of one array in any order, once each; complete when every chunk has arrived. It keeps the
/// chunks' arrays as they came off the wire (a received message's arrays are no one else's) and copies them only
/// once, to where they are used.
/// </summary>
public sealed class ChunkAssembler(int length)
{
    private readonly float[]?[] _chunks = new float[Chunking.Count(length)][];
    private int _received;

    public int Length => length;

    public bool IsComplete => _received == _chunks.Length;

    /// <summary>Takes a chunk (the array itself: it must not change afterwards); a duplicate (a retried request) is ignored. A chunk that does not fit throws.</summary>
    public void Add(int chunk, float[] values)
    {
        if (Misfit(length, chunk, values.Length) is { } misfit) throw new InvalidDataException(misfit);
        if (_chunks[chunk] is not null) return;
        _chunks[chunk] = values;
        _received++;
    }

    /// <summary>Why chunk <paramref name="chunk"/> of <paramref name="values"/> values cannot be part of an array of <paramref name="length"/>, or null when it can.</summary>
    public static string? Misfit(int length, int chunk, int values)
    {
        var chunks = Chunking.Count(length);
        if ((uint)chunk >= (uint)chunks) return $"chunk {chunk} of an array of {chunks} chunks";
        var count = Chunking.Range(length, chunk).Length;
        return values == count ? null : $"chunk {chunk} has {values} values, expected {count}";
    }

    /// <summary>The chunks that have arrived, each with where it starts in the array.</summary>
    public IEnumerable<(int Offset, float[] Values)> Pieces()
    {
        for (var c = 0; c < _chunks.Length; c++)
            if (_chunks[c] is { } values) yield return (Chunking.Range(length, c).Offset, values);
    }

    /// <summary>Hands the chunks' arrays back to <see cref="ChunkPool"/>: the assembler and its pieces are not to be used after.</summary>
    public void Recycle()
    {
        for (var c = 0; c < _chunks.Length; c++)
        {
            if (_chunks[c] is { } values) ChunkPool.Return(values);
            _chunks[c] = null;
        }
        _received = 0;
    }

    /// <summary>The array, with zeros where chunks are still missing.</summary>
    public float[] ToArray()
    {
        var all = new float[length];
        foreach (var (offset, values) in Pieces()) values.CopyTo(all, offset);
        return all;
    }
}
