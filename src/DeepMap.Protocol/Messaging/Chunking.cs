namespace DeepMap.Protocol.Messaging;

/// <summary>
/// How large float arrays are cut for the wire: pieces of at most <see cref="ChunkFloats"/> values (1 MiB), well below
/// the remoting frame size, so a tensor never blocks the connection that also carries cluster heartbeats.
/// </summary>
public static class Chunking
{
    public const int ChunkFloats = 256 * 1024;

    /// <summary>The frame size every node configures: room for a full chunk and its header.</summary>
    public const int MaximumFrameSize = 4 * 1024 * 1024;

    public static int Count(int length) => Math.Max(1, (length + ChunkFloats - 1) / ChunkFloats);

    public static (int Offset, int Length) Range(int length, int chunk)
    {
        var offset = chunk * ChunkFloats;
        return (offset, Math.Max(0, Math.Min(ChunkFloats, length - offset)));
    }

    public static float[] Slice(ReadOnlySpan<float> values, int chunk)
    {
        var (offset, count) = Range(values.Length, chunk);
        var slice = ChunkPool.Rent(count);
        values.Slice(offset, count).CopyTo(slice);
        return slice;
    }
}
