using DeepMap.Tensors.Backends.Cpu;

namespace DeepMap.Tensors.Backends;

/// <summary>The backend that tensors and models use when none is named: the CPU backend on every core unless replaced.</summary>
public static class DefaultBackend
{
    private static IBackend? s_current;

    public static IBackend Current
    {
        get => s_current ??= new CpuBackend();
        set => s_current = value;
    }
}
