using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

public sealed class CpuBackendConformanceTests : BackendConformanceTests
{
    protected override IBackend Backend => TestBackends.TwoThreads;
}
