using System.Buffers;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// Reused arrays for full chunks (<see cref="Chunking.ChunkFloats"/> values), the arrays that carry nearly every byte
/// of a step's tensors. Fresh 1 MiB arrays each step cost more than the copies they hold: the runtime hands large
/// arrays new pages, and the kernel faults in and zeroes every one of them. Arrays of other lengths come and go with
/// the garbage collector. An array never returned is only garbage, so a holder that loses track of one costs nothing
/// but the reuse; returning one still in use is the one mistake to avoid.
/// </summary>
public static class ChunkPool
{
    private static readonly ArrayPool<float> Pool = ArrayPool<float>.Create(Chunking.ChunkFloats, maxArraysPerBucket: 64);

    /// <summary>An array of exactly <paramref name="length"/> values, its contents undefined.</summary>
    public static float[] Rent(int length) =>
        length == Chunking.ChunkFloats ? Pool.Rent(length) : GC.AllocateUninitializedArray<float>(length);

    /// <summary>Hands an array back for reuse; the caller and everyone it shared the array with are done with it.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == Chunking.ChunkFloats) Pool.Return(array);
    }
}
