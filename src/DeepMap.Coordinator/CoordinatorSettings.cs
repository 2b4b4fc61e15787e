using System.Globalization;
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
        var api = configuration["API"] ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(api, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"DEEPMAP_API: '{api}' is not an http(s) URL");
        var data = (configuration["DATA"] ?? "./data:/usr/share/datasets").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var state = Path.GetFullPath(configuration["STATE"] ?? "./.deepmap/state");
        var timeoutText = configuration["STEP_TIMEOUT"];
        var timeout = 30.0;
        if (timeoutText is not null && (!double.TryParse(timeoutText, NumberStyles.Float, CultureInfo.InvariantCulture, out timeout) || timeout <= 0))
            throw new ArgumentException($"DEEPMAP_STEP_TIMEOUT: '{timeoutText}' is not a positive number of seconds");
        var token = configuration["TOKEN"];
        if (string.IsNullOrEmpty(token)) token = null;
        if (token is null && !IsLoopback(uri.Host))
            throw new ArgumentException($"DEEPMAP_API binds to {uri.Host}, beyond this machine: set DEEPMAP_TOKEN so the API is not open to the network");
        return new CoordinatorSettings(node, api, data, state, TimeSpan.FromSeconds(timeout), token);
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
