using Akka.Actor;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Worker;
using DeepMap.Worker.Health;
using DeepMap.Worker.Membership;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

WorkerSettings settings;
try
{
    settings = WorkerSettings.From(new ConfigurationBuilder().AddEnvironmentVariables(SettingsReader.Prefix).Build());
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"deepmap-worker: {e.Message}");
    return 2;
}
var node = settings.Node;
var backend = node.CreateBackend();
Console.WriteLine($"deepmap-worker: device {backend.Name}, remoting {node.Host}:{node.Port}{(node.Tls is null ? "" : " (tls)")}, seeds {string.Join(", ", node.Seeds)}");
var rejoin = new RejoinRequest();
// One actor system per cluster membership: when the coordinator is gone or this node was downed, the node starts a
// new one and joins again; any other stop (SIGTERM, `deepmap cluster leave`) ends the process.
while (true)
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Services.AddAkka(RegionNames.SystemName, akka => akka.AddWorkerActors(settings, backend, rejoin));
    if (settings.Health.Port is { } healthPort) builder.Services.AddHostedService(services => new HealthEndpoint(healthPort, services));
    using var host = builder.Build();
    var system = host.Services.GetRequiredService<ActorSystem>();
    await host.RunAsync();
    var downed = CoordinatedShutdown.Get(system).ShutdownReason is CoordinatedShutdown.ClusterDowningReason;
    var reason = rejoin.Take() ?? (downed ? "this node was downed" : null);
    if (reason is null) return 0;
    Console.WriteLine($"deepmap-worker: {reason}; joining again");
}
