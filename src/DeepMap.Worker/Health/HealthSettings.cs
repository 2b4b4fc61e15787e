using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Worker.Health;

/// <summary>
/// DEEPMAP_HEALTH_PORT: the port on which the worker answers /healthz and /readyz (the container images set 8081);
/// unset, the worker serves no HTTP at all.
/// </summary>
public sealed record HealthSettings(int? Port)
{
    public static HealthSettings From(IConfiguration configuration)
    {
        var text = configuration["HEALTH_PORT"];
        if (string.IsNullOrWhiteSpace(text)) return new HealthSettings((int?)null);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"DEEPMAP_HEALTH_PORT: '{text}' is not a port in [1, 65535]");
        return new HealthSettings(port);
    }
}
