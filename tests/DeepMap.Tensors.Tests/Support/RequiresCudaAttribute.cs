using DeepMap.Tensors.Backends.Ilgpu;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>Marks a test class whose <see cref="BackendFactAttribute"/> facts need a CUDA device.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresCudaAttribute : Attribute
{
    private static readonly Lazy<bool> s_available = new(IlgpuBackend.IsCudaAvailable);

    public static string? SkipReason => s_available.Value ? null : "no CUDA device on this machine (ILGPU found none)";
}
