using ILGPU;
using ILGPU.Runtime;

namespace DeepMap.Tensors.Backends.Ilgpu;

internal sealed class IlgpuStorage(IBackend backend, MemoryBuffer1D<float, Stride1D.Dense> buffer, int length) : Storage(backend, length)
{
    /// <summary>Pooled by exact length; at least one element, since a device cannot allocate zero.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = buffer;

    public ArrayView<float> View => Buffer.View.SubView(0, Length);
}
