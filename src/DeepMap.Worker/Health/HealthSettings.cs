using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Worker.Health;

/// <summary>
/// DEEPMAP_HEALTH_PORT: the port on which the worker answers /healthz and /readyz (the container images set 8081);
/// unset, the worker serves no HTTP at all.
/// </summary>
public sealed record HealthSettings(int? Port)
{
    public static HealthSettings From(IConfiguration configuration) => new(new SettingsReader(configuration).Port("DEEPMAP_HEALTH_PORT"));
}
