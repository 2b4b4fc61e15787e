using System.Globalization;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// How a node joins the cluster and computes, bound once at start from configuration (DEEPMAP_SEEDS, DEEPMAP_HOST,
/// DEEPMAP_PORT, DEEPMAP_DEVICE, DEEPMAP_THREADS) and validated with a one-line error.
/// </summary>
public sealed record NodeSettings(IReadOnlyList<string> Seeds, string Host, int Port, string Device, int Threads)
{
    public static NodeSettings From(IConfiguration configuration, int defaultPort)
    {
        var seeds = (configuration["SEEDS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var seed in seeds)
            if (seed.Split(':') is not [{ Length: > 0 }, var p] || !int.TryParse(p, out _))
                throw new ArgumentException($"DEEPMAP_SEEDS: '{seed}' is not host:port");
        var host = configuration["HOST"] ?? "127.0.0.1";
        var port = ParseInt(configuration["PORT"], defaultPort, "DEEPMAP_PORT", 0, 65535);
        var device = configuration["DEVICE"] ?? "auto";
        if (device is not ("auto" or "cpu"))
            throw new ArgumentException($"DEEPMAP_DEVICE: '{device}' is not available in this build; use auto or cpu (the GPU backend is not built yet)");
        var threads = ParseInt(configuration["THREADS"], 0, "DEEPMAP_THREADS", 0, 1024);
        return new NodeSettings(seeds, host, port, device, threads);
    }

    /// <summary>The backend this node computes on; today the CPU SIMD backend ("auto" picks it when no GPU backend exists).</summary>
    public IBackend CreateBackend() => new CpuBackend(Threads);

    private static int ParseInt(string? text, int fallback, string name, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"{name}: '{text}' is not a whole number in [{min}, {max}]");
        return value;
    }
}
