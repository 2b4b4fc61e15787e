using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Training;

/// <summary>
/// The one rule for combining partition gradients: the sample-weighted mean, accumulated in partition order as
/// acc ← (n_k / Σn)·g_k + acc. Elementwise, so a parameter-server shard applying it to its slice gets the same bits
/// as the whole vector.
/// </summary>
public static class GradientSum
{
    public static double Weight(int samples, int totalSamples) => (double)samples / totalSamples;

    public static void Accumulate(IBackend backend, Storage gradient, Storage accumulator, int length, int samples, int totalSamples) =>
        backend.Scale(gradient, accumulator, length, Weight(samples, totalSamples), 1);
}
