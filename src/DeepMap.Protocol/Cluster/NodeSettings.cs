using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Backends.Ilgpu;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// How a node joins the cluster and computes, bound once at start from configuration (DEEPMAP_SEEDS, DEEPMAP_HOST,
/// DEEPMAP_PORT, DEEPMAP_DATA_PORT, DEEPMAP_BIND_HOST, DEEPMAP_DEVICE, DEEPMAP_THREADS, DEEPMAP_DOWN_AFTER and the TLS settings) and
/// validated with a one-line error.
/// </summary>
public sealed record NodeSettings(IReadOnlyList<string> Seeds, string Host, int Port, string Device, int Threads)
{
    /// <summary>TLS for remoting, or null for plain TCP.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>
    /// The interface remoting listens on (DEEPMAP_BIND_HOST, e.g. 0.0.0.0 in a container), when it is not
    /// <see cref="Host"/>, the address advertised to the others (a published port, a NAT).
    /// </summary>
    public string? BindHost { get; init; }

    /// <summary>
    /// How long the split-brain resolver waits for an unreachable node to come back before it downs it
    /// (DEEPMAP_DOWN_AFTER, seconds; Akka's default 20): most of the time a lost worker costs a job. Set it alike on
    /// every node.
    /// </summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The TCP port of the node's tensor data channel (DEEPMAP_DATA_PORT; 0, the default, any free port): gradients and
    /// weights travel there, beside remoting, on the same host and with the same TLS.
    /// </summary>
    public int DataPort { get; init; }

    public static NodeSettings From(IConfiguration configuration, int defaultPort)
    {
        var read = new SettingsReader(configuration);
        var seeds = read.List("DEEPMAP_SEEDS", ',');
        foreach (var seed in seeds)
            if (seed.Split(':') is not [{ Length: > 0 }, var p] || !int.TryParse(p, out _))
                throw SettingsReader.Invalid("DEEPMAP_SEEDS", seed, "host:port");
        var device = read.OneOf("DEEPMAP_DEVICE", "auto", "cuda", "cpu", "ilgpu-cpu");
        if (device == "cuda" && !IlgpuBackend.IsCudaAvailable())
            throw new ArgumentException("DEEPMAP_DEVICE: 'cuda', but ILGPU finds no CUDA device here (no GPU, or no libcuda.so or libcuda.so.1); use auto or cpu");
        return new NodeSettings(
            Seeds: seeds,
            Host: HostAddress.Resolve(read.Text("DEEPMAP_HOST")),
            Port: read.Int("DEEPMAP_PORT", defaultPort, 0, 65535),
            Device: device,
            Threads: read.Int("DEEPMAP_THREADS", 0, 0, 1024))
        {
            DataPort = read.Int("DEEPMAP_DATA_PORT", 0, 0, 65535),
            BindHost = read.Text("DEEPMAP_BIND_HOST"),
            DownAfter = read.Seconds("DEEPMAP_DOWN_AFTER", 20, 1, 3600),
            Tls = TlsSettings.From(configuration),
        };
    }

    /// <summary>
    /// The backend this node computes on: "cuda" the first CUDA device, "cpu" the CPU SIMD backend, "ilgpu-cpu" ILGPU's
    /// CPU emulation (for tests: far too slow to train on), and "auto" CUDA when a device is there, else CPU SIMD.
    /// </summary>
    public IBackend CreateBackend() => Device switch
    {
        "cuda" => IlgpuBackend.CreateCuda(),
        "ilgpu-cpu" => IlgpuBackend.CreateCpuEmulation(),
        "auto" when IlgpuBackend.IsCudaAvailable() => IlgpuBackend.CreateCuda(),
        _ => new CpuBackend(Threads),
    };
}
