namespace DeepMap.Protocol.Messaging;

/// <summary>Collects the chunks of one array in any order, once each; complete when every chunk has arrived.</summary>
public sealed class ChunkAssembler(int length)
{
    private readonly bool[] _seen = new bool[Chunking.Count(length)];
    private int _received;

    public float[] Values { get; } = new float[length];

    public bool IsComplete => _received == _seen.Length;

    /// <summary>Places a chunk; a duplicate (a retried request) is ignored. A chunk that does not fit throws.</summary>
    public void Add(int chunk, ReadOnlySpan<float> values)
    {
        if ((uint)chunk >= (uint)_seen.Length) throw new InvalidDataException($"chunk {chunk} of an array of {_seen.Length} chunks");
        var (offset, count) = Chunking.Range(Values.Length, chunk);
        if (values.Length != count) throw new InvalidDataException($"chunk {chunk} has {values.Length} values, expected {count}");
        if (_seen[chunk]) return;
        values.CopyTo(Values.AsSpan(offset));
        _seen[chunk] = true;
        _received++;
    }
}
