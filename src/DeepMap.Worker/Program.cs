using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Worker;
using DeepMap.Worker.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("DEEPMAP_");
NodeSettings settings;
HealthSettings health;
try
{
    settings = NodeSettings.From(builder.Configuration, defaultPort: 0);
    if (settings.Seeds.Count == 0 && !settings.Discovery.UsesKubernetes)
        throw new ArgumentException("DEEPMAP_SEEDS is empty: name the coordinator, e.g. DEEPMAP_SEEDS=127.0.0.1:4053");
    health = HealthSettings.From(builder.Configuration);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"deepmap-worker: {e.Message}");
    return 2;
}
var backend = settings.CreateBackend();
var joins = settings.Discovery.UsesKubernetes ? $"kubernetes discovery ({settings.Discovery.Selector})" : $"seeds {string.Join(", ", settings.Seeds)}";
Console.WriteLine($"deepmap-worker: device {backend.Name}, remoting {settings.Host}:{settings.Port}{(settings.Tls is null ? "" : " (tls)")}, {joins}");
builder.Services.AddAkka(RegionNames.SystemName, akka => akka.AddWorkerActors(settings, backend));
if (health.Port is { } healthPort) builder.Services.AddHostedService(services => new HealthEndpoint(healthPort, services));
await builder.Build().RunAsync();
return 0;
