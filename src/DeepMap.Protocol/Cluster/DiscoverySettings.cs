using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// How a node finds the cluster, bound from DEEPMAP_DISCOVERY (<c>seeds</c>, the default: DEEPMAP_SEEDS names the
/// seed nodes; or <c>kubernetes</c>: Akka.Management's cluster bootstrap finds the other pods through the Kubernetes
/// API), DEEPMAP_MANAGEMENT_PORT (the bootstrap's HTTP port, 8558), DEEPMAP_DISCOVERY_SELECTOR (the pod label selector,
/// the same for coordinator and workers), DEEPMAP_DISCOVERY_NAMESPACE (default: the pod's own namespace) and
/// DEEPMAP_DISCOVERY_CONTACT_POINTS (how many pods must be found before a new cluster is formed).
/// </summary>
public sealed record DiscoverySettings(string Method, int ManagementPort, string Selector, string? Namespace, int ContactPoints)
{
    public const string SeedsMethod = "seeds";
    public const string KubernetesMethod = "kubernetes";

    /// <summary>The name of the management port in the pod spec; the bootstrap asks discovery for this port.</summary>
    public const string ManagementPortName = "management";

    public static DiscoverySettings Default { get; } = new(SeedsMethod, 8558, "app.kubernetes.io/part-of=deepmap", null, 2);

    public bool UsesKubernetes => Method == KubernetesMethod;

    public static DiscoverySettings From(IConfiguration configuration)
    {
        var method = configuration["DISCOVERY"] is { Length: > 0 } m ? m : SeedsMethod;
        if (method is not (SeedsMethod or KubernetesMethod))
            throw new ArgumentException($"DEEPMAP_DISCOVERY: '{method}' is not seeds or kubernetes");
        var port = ParseInt(configuration["MANAGEMENT_PORT"], Default.ManagementPort, "DEEPMAP_MANAGEMENT_PORT", 1, 65535);
        var selector = configuration["DISCOVERY_SELECTOR"] ?? Default.Selector;
        if (string.IsNullOrWhiteSpace(selector) || selector.Any(char.IsWhiteSpace))
            throw new ArgumentException($"DEEPMAP_DISCOVERY_SELECTOR: '{selector}' is not a label selector such as app.kubernetes.io/part-of=deepmap");
        var ns = configuration["DISCOVERY_NAMESPACE"] is { Length: > 0 } n ? n : null;
        var contactPoints = ParseInt(configuration["DISCOVERY_CONTACT_POINTS"], Default.ContactPoints, "DEEPMAP_DISCOVERY_CONTACT_POINTS", 1, 1000);
        return new DiscoverySettings(method, port, selector, ns, contactPoints);
    }

    private static int ParseInt(string? text, int fallback, string name, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"{name}: '{text}' is not a whole number in [{min}, {max}]");
        return value;
    }
}
