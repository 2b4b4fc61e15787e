using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Coordinator;

/// <summary>
/// The coordinator's settings, bound once from configuration (DEEPMAP_* environment variables): the node part, the
/// HTTP binding (DEEPMAP_API), data roots (DEEPMAP_DATA, colon-separated), the state directory (DEEPMAP_STATE) and how
/// long a step may wait before it is reported and retried (DEEPMAP_STEP_TIMEOUT, seconds), and the API token
/// (DEEPMAP_TOKEN), required when the API binds anywhere but loopback.
/// </summary>
public sealed record CoordinatorSettings(NodeSettings Node, string Api, IReadOnlyList<string> Data, string State, TimeSpan StepTimeout, string? Token = null)
{
    public const int DefaultPort = 4053;

    public static CoordinatorSettings From(IConfiguration configuration)
    {
        var node = NodeSettings.From(configuration, DefaultPort);
        var read = new SettingsReader(configuration);
        var api = read.Text("DEEPMAP_API", "http://127.0.0.1:8080");
        if (!Uri.TryCreate(api, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw SettingsReader.Invalid("DEEPMAP_API", api, "an http(s) URL");
        var token = read.Text("DEEPMAP_TOKEN");
        if (token is null && !IsLoopback(uri.Host))
            throw new ArgumentException($"DEEPMAP_API binds to {uri.Host}, beyond this machine: set DEEPMAP_TOKEN so the API is not open to the network");
        return new CoordinatorSettings(
            Node: node,
            Api: api,
            Data: read.List("DEEPMAP_DATA", ':', "./data:/usr/share/datasets"),
            State: read.FullPath("DEEPMAP_STATE", "./.deepmap/state"),
            StepTimeout: read.PositiveSeconds("DEEPMAP_STEP_TIMEOUT", 30),
            Token: token);
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
