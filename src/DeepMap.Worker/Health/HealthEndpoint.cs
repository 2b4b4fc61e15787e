using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeepMap.Worker.Health;

/// <summary>
/// The worker's probes over plain HTTP on all interfaces, as the coordinator serves them beside its API: /healthz
/// answers 200 while the node's actor system runs (liveness), /readyz answers 200 once this node is an Up member of
/// the cluster (readiness) and 503 before and after. A worker has no web server otherwise, so this is HttpListener.
/// </summary>
public sealed class HealthEndpoint(int port, IServiceProvider services) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://*:{port}/");
        listener.Start();
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var (status, body) = context.Request.Url?.AbsolutePath switch
        {
            "/healthz" => Alive() ? (200, "Healthy") : (503, "Unhealthy: the actor system has stopped"),
            "/readyz" => Ready(),
            _ => (404, "not found: /healthz or /readyz"),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }

    private ActorSystem? System => services.GetService<ActorSystem>();

    private bool Alive() => System is { } system && !system.WhenTerminated.IsCompleted;

    private (int, string) Ready()
    {
        if (System is not { } system || system.WhenTerminated.IsCompleted) return (503, "Unhealthy: the actor system is not running");
        var status = Cluster.Get(system).SelfMember.Status;
        return status == MemberStatus.Up ? (200, "Healthy") : (503, $"Unhealthy: cluster member status {status}");
    }
}
