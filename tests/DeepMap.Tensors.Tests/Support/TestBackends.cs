using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Backends.Reference;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>Backends shared by the whole test run (their worker threads live as long as the process).</summary>
public static class TestBackends
{
    public static ReferenceBackend Reference => ReferenceBackend.Instance;

    public static CpuBackend SingleThread { get; } = new(threads: 1);

    public static CpuBackend TwoThreads { get; } = new(threads: 2);
}
