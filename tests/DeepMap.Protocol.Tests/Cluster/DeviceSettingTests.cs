using DeepMap.Protocol.Cluster;
using DeepMap.Tensors.Backends.Ilgpu;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Tests.Cluster;

/// <summary>DEEPMAP_DEVICE: which backend a node computes on, and the one-line refusals.</summary>
public sealed class DeviceSettingTests
{
    private static readonly bool s_cuda = IlgpuBackend.IsCudaAvailable();

    private static NodeSettings Settings(string? device) =>
        NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(device is null ? [] : [new("DEVICE", device)]).Build(), defaultPort: 0);

    private static string BackendName(string? device)
    {
        var backend = Settings(device).CreateBackend();
        (backend as IDisposable)?.Dispose();
        return backend.Name;
    }

    [Fact]
    public void An_unknown_device_is_refused_in_one_line_naming_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => Settings("gpu"));
        Assert.Equal("DEEPMAP_DEVICE: 'gpu' is not one of auto, cuda, cpu, ilgpu-cpu", e.Message);
    }

    [Fact]
    public void Cuda_is_refused_at_start_without_a_device_and_used_with_one()
    {
        if (s_cuda)
        {
            Assert.StartsWith("ilgpu-cuda (", BackendName("cuda"));
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => Settings("cuda"));
        Assert.StartsWith("DEEPMAP_DEVICE: 'cuda', but ILGPU finds no CUDA device", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Auto_is_the_default_and_picks_cuda_when_present_else_the_cpu_simd_backend()
    {
        Assert.Equal("auto", Settings(null).Device);
        Assert.StartsWith(s_cuda ? "ilgpu-cuda (" : "cpu-simd (", BackendName(null));
    }

    [Fact]
    public void Cpu_and_ilgpu_cpu_name_their_backends()
    {
        Assert.StartsWith("cpu-simd (", BackendName("cpu"));
        Assert.Equal("ilgpu-cpu (emulated)", BackendName("ilgpu-cpu"));
    }
}
