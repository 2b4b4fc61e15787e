using System.Collections.Concurrent;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// Reused arrays for the chunks that carry a step's tensors, by exact length (a job's chunks come in a few lengths,
/// the same every step). Fresh large arrays each step cost more than the copies they hold: the runtime hands them new
/// pages, and the kernel faults in and zeroes every one. Small arrays come and go with the garbage collector. An array
/// never returned is only garbage, so a holder that loses track of one costs nothing but the reuse; returning one
/// still in use is the one mistake to avoid.
/// </summary>
public static class ChunkPool
{
    // Below this, an array is a cheap young-generation allocation.
    private const int SmallestPooled = 16 * 1024;
    private const int ArraysPerLength = 32;
    private const int Lengths = 64;

    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Pool = new();

    /// <summary>An array of exactly <paramref name="length"/> values, its contents undefined.</summary>
    public static float[] Rent(int length) =>
        length >= SmallestPooled && Pool.TryGetValue(length, out var arrays) && arrays.TryTake(out var array)
            ? array
            : GC.AllocateUninitializedArray<float>(length);

    /// <summary>Hands an array back for reuse; the caller and everyone it shared the array with are done with it.</summary>
    public static void Return(float[] array)
    {
        if (array.Length < SmallestPooled) return;
        if (!Pool.TryGetValue(array.Length, out var arrays))
        {
            if (Pool.Count >= Lengths) return;
            arrays = Pool.GetOrAdd(array.Length, _ => []);
        }
        if (arrays.Count < ArraysPerLength) arrays.Add(array);
    }
}
