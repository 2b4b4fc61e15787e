namespace DeepMap.Tensors.Backends.Reference;

internal sealed class ReferenceStorage(IBackend backend, int length) : Storage(backend, length)
{
    public double[] Data { get; } = new double[length];
}
