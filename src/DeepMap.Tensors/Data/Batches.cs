using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Data;

/// <summary>
/// Seeded sample order and minibatches. The order of an epoch depends only on (seed, epoch), so a training loop — a
/// model's Fit, or a cluster partition — can be resumed or replayed at any epoch and sees the same batches.
/// </summary>
public static class Batches
{
    private const ulong ShuffleStream = 0x5348554646UL;

    /// <summary>
    /// The sample order of one epoch: a seeded permutation of 0..rows−1, or the identity without shuffling. Each data
    /// partition of a distributed job draws its own stream; a model's Fit is partition 0.
    /// </summary>
    public static int[] Order(int rows, ulong seed, int epoch, bool shuffle = true, int partition = 0)
    {
        var order = new int[rows];
        for (var i = 0; i < rows; i++) order[i] = i;
        if (shuffle) SeededRandom.Derive(seed, ShuffleStream, (ulong)epoch, (ulong)partition).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>
    /// The epoch's minibatches of (features, targets) as new tensors on the given backend; the last batch may be short.
    /// Rows of x and y are matched by their first axis.
    /// </summary>
    public static IEnumerable<(Tensor X, Tensor Y)> Of(Tensor x, Tensor y, int batchSize, ulong seed, int epoch, bool shuffle = true, IBackend? backend = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        if (x.Shape[0] != y.Shape[0]) throw new ArgumentException($"{x.Shape[0]} samples but {y.Shape[0]} targets");
        return Iterate(x.ToArray(), x.Shape, y.ToArray(), y.Shape, batchSize, Order(x.Shape[0], seed, epoch, shuffle), backend ?? x.Backend);
    }

    private static IEnumerable<(Tensor X, Tensor Y)> Iterate(float[] x, int[] xShape, float[] y, int[] yShape, int batchSize, int[] order, IBackend backend)
    {
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var rows = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            yield return (Gather(backend, x, xShape[1..], rows), Gather(backend, y, yShape[1..], rows));
        }
    }

    /// <summary>A batch tensor [rows, ...rowShape] of the given rows of a row-major host array, in that order.</summary>
    public static Tensor Gather(IBackend backend, float[] source, int[] rowShape, ReadOnlySpan<int> rows)
    {
        var rowLength = ShapeMath.Size(rowShape);
        var t = Tensor.Empty(backend, [rows.Length, .. rowShape]);
        for (var i = 0; i < rows.Length; i++) backend.Upload(source.AsSpan(rows[i] * rowLength, rowLength), t.Storage, i * rowLength);
        return t;
    }
}
