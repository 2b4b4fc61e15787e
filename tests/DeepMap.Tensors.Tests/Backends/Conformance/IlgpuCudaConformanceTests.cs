using DeepMap.Tensors.Backends.Ilgpu;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>The ILGPU kernels on the first CUDA device; every fact is reported skipped, with the reason, without one.</summary>
[RequiresCuda]
public sealed class IlgpuCudaConformanceTests : IlgpuConformanceTests
{
    protected override IlgpuBackend Ilgpu => TestBackends.IlgpuCuda;

    /// <summary>PTX's exp is an approximation too, and tanh is built from it.</summary>
    protected override double TanhAtol => 1e-3;
}
