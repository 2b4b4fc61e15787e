namespace DeepMap.Tensors.Backends.Cpu;

internal sealed class CpuStorage(IBackend backend, float[] data, int length) : Storage(backend, length)
{
    /// <summary>Pooled, so it may be longer than <see cref="Storage.Length"/>.</summary>
    public float[] Data { get; } = data;

    public Span<float> Span => Data.AsSpan(0, Length);
}
