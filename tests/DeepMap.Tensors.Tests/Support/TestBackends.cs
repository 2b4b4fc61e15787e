using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Backends.Ilgpu;
using DeepMap.Tensors.Backends.Reference;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>Backends shared by the whole test run (their worker threads live as long as the process).</summary>
public static class TestBackends
{
    private static readonly Lazy<IlgpuBackend> s_ilgpuCpu = new(IlgpuBackend.CreateCpuEmulation);
    private static readonly Lazy<IlgpuBackend> s_ilgpuCuda = new(IlgpuBackend.CreateCuda);

    public static ReferenceBackend Reference => ReferenceBackend.Instance;

    public static CpuBackend SingleThread { get; } = new(threads: 1);

    public static CpuBackend TwoThreads { get; } = new(threads: 2);

    /// <summary>ILGPU on its CPU accelerator: built on first use, since compiling its kernels takes a moment.</summary>
    public static IlgpuBackend IlgpuCpu => s_ilgpuCpu.Value;

    public static IlgpuBackend IlgpuCuda => s_ilgpuCuda.Value;
}
