using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DeepMap.Coordinator.Api;

/// <summary>
/// /healthz runs Akka.Hosting's liveness check (the actor system runs); /readyz Akka.Cluster.Hosting's readiness check
/// (this node has joined the cluster). Each answers its status, then every check it ran with its own, so a failing
/// probe's body says which check failed; Kubernetes and Compose read only the status code.
/// </summary>
public static class HealthProbes
{
    // The tags Akka.Hosting gives its liveness checks and Akka.Cluster.Hosting its readiness check.
    private const string LivenessTag = "liveness";
    private const string ReadinessTag = "ready";

    public static void MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", Tagged(LivenessTag));
        app.MapHealthChecks("/readyz", Tagged(ReadinessTag));
    }

    private static HealthCheckOptions Tagged(string tag) => new() { Predicate = check => check.Tags.Contains(tag), ResponseWriter = Write };

    private static Task Write(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder().Append(report.Status).Append('\n');
        foreach (var (name, entry) in report.Entries)
            text.Append(name).Append(": ").Append(entry.Status).Append(entry.Description is { Length: > 0 } d ? $" ({d})" : "").Append('\n');
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
