using Akka.Cluster.Hosting;
using Akka.Hosting;
using DeepMap.Coordinator;
using DeepMap.Coordinator.Api;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;

// The dashboard's files sit beside the executable, so the page is served wherever the coordinator is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables(SettingsReader.Prefix);
CoordinatorSettings settings;
try
{
    settings = CoordinatorSettings.From(builder.Configuration);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"deepmap-coordinator: {e.Message}");
    return 2;
}
// A single-node cluster names itself as seed; workers name the coordinator. On Kubernetes too: the coordinator is the
// seed, advertised under its pod's stable DNS name (DEEPMAP_HOST), and the workers' DEEPMAP_SEEDS names it.
if (settings.Node.Seeds.Count == 0)
    settings = settings with { Node = settings.Node with { Seeds = [$"{settings.Node.Host}:{settings.Node.Port}"] } };
var backend = settings.Node.CreateBackend();
builder.WebHost.UseUrls(settings.Api);
builder.Services.ConfigureHttpJsonOptions(JobsApi.ConfigureJson);
builder.Services.AddHealthChecks();
builder.Services.AddAkka(RegionNames.SystemName, akka => akka.AddCoordinatorActors(settings, backend).WithActorSystemLivenessCheck().WithAkkaClusterReadinessCheck());
var app = builder.Build();
app.UseToken(settings.Token);
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapJobsApi();
app.MapMetrics();
app.MapHealthProbes();
Console.WriteLine($"deepmap-coordinator: API {settings.Api}, remoting {settings.Node.Host}:{settings.Node.Port}{(settings.Node.Tls is null ? "" : " (tls)")}, seeds {string.Join(", ", settings.Node.Seeds)}, state {settings.State}, data {string.Join(":", settings.Data)}");
await app.RunAsync();
return 0;
