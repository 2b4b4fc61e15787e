using DeepMap.Tensors.Backends.Ilgpu;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>The ILGPU kernels on ILGPU's CPU accelerator: runs everywhere, so CI checks the GPU code without a GPU.</summary>
public sealed class IlgpuCpuEmulationConformanceTests : IlgpuConformanceTests
{
    protected override IlgpuBackend Ilgpu => TestBackends.IlgpuCpu;
}
