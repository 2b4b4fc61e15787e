using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("DEEPMAP_");
NodeSettings settings;
try
{
    settings = NodeSettings.From(builder.Configuration, defaultPort: 0);
    if (settings.Seeds.Count == 0) throw new ArgumentException("DEEPMAP_SEEDS is empty: name the coordinator, e.g. DEEPMAP_SEEDS=127.0.0.1:4053");
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"deepmap-worker: {e.Message}");
    return 2;
}
var backend = settings.CreateBackend();
Console.WriteLine($"deepmap-worker: device {backend.Name}, seeds {string.Join(", ", settings.Seeds)}");
builder.Services.AddAkka(RegionNames.SystemName, akka => akka.AddWorkerActors(settings, backend));
await builder.Build().RunAsync();
return 0;
