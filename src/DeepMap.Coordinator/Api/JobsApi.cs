using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Jobs;
using Microsoft.AspNetCore.Http.Json;

namespace DeepMap.Coordinator.Api;

/// <summary>The coordinator's HTTP API for jobs and the cluster view; the CLI and the dashboard use only this.</summary>
public static class JobsApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static void ConfigureJson(JsonOptions options)
    {
        options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        // A diverged job's validation or test metric can be NaN or infinite: written as "NaN", "Infinity", never a throw.
        options.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    public static void MapJobsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs", async (HttpRequest request, IRequiredActor<JobManagerKey> manager) =>
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync();
            var reply = await (await manager.GetAsync()).Ask<object>(new JobCommands.SubmitJob(text), AskTimeout);
            return reply switch
            {
                JobReplies.JobAccepted a => Results.Created($"/api/jobs/{a.JobId}", new { id = a.JobId }),
                JobReplies.JobRefused r => Results.BadRequest(new { error = r.Error, path = r.Path }),
                _ => Results.Problem($"unexpected reply {reply.GetType().Name}"),
            };
        });
        app.MapGet("/api/jobs", async (IRequiredActor<JobManagerKey> manager) =>
            Results.Ok((await (await manager.GetAsync()).Ask<JobReplies.JobList>(new JobQueries.ListJobs(), AskTimeout)).Jobs));
        app.MapGet("/api/jobs/{id}", async (string id, IRequiredActor<JobManagerKey> manager) =>
            Status(await (await manager.GetAsync()).Ask<object>(new JobQueries.GetJob(id), AskTimeout)));
        app.MapPost("/api/jobs/{id}/cancel", async (string id, IRequiredActor<JobManagerKey> manager) =>
            Status(await (await manager.GetAsync()).Ask<object>(new JobCommands.CancelJob(id), AskTimeout)));
        app.MapGet("/api/jobs/{id}/model", async (string id, IRequiredActor<JobManagerKey> manager) =>
            await (await manager.GetAsync()).Ask<object>(new JobQueries.GetModel(id), AskTimeout) switch
            {
                JobReplies.ModelFile { Path: { } path } => Results.File(path, "application/octet-stream", $"{id}.safetensors"),
                JobReplies.ModelFile => Results.Conflict(new { error = $"job {id} has no model yet" }),
                _ => Results.NotFound(new { error = $"no job '{id}'" }),
            });
        app.MapGet("/api/jobs/{id}/events", JobEvents);
        app.MapPost("/api/cluster/leave", (MemberRequest m, ActorSystem system) => ChangeMember(system, m.Address, (c, a) => c.Leave(a)));
        app.MapPost("/api/cluster/down", (MemberRequest m, ActorSystem system) => ChangeMember(system, m.Address, (c, a) => c.Down(a)));
        app.MapGet("/api/cluster/sharding", async (IRequiredActor<PartitionRegionKey> partitions, IRequiredActor<ParameterServerRegionKey> shards) =>
        {
            var regions = new List<object>();
            foreach (var (name, region) in new[] { ("partition", await partitions.GetAsync()), ("ps", await shards.GetAsync()) })
            {
                var stats = await region.Ask<Akka.Cluster.Sharding.ClusterShardingStats>(new Akka.Cluster.Sharding.GetClusterShardingStats(TimeSpan.FromSeconds(5)), AskTimeout);
                regions.AddRange(stats.Regions.Select(r => new
                {
                    region = name,
                    node = r.Key.ToString(),
                    shards = r.Value.Stats.Count,
                    entities = r.Value.Stats.Values.Sum(),
                }));
            }
            return Results.Ok(new { regions });
        });
        app.MapGet("/api/cluster", async (ActorSystem system, IRequiredActor<JobManagerKey> manager) =>
        {
            var devices = await (await manager.GetAsync()).Ask<ClusterQueries.Devices>(new ClusterQueries.GetDevices(), AskTimeout);
            var members = Akka.Cluster.Cluster.Get(system).State.Members.Select(m => new
            {
                address = m.Address.ToString(),
                roles = m.Roles.Order().ToArray(),
                status = m.Status.ToString().ToLowerInvariant(),
                device = devices.ByAddress.GetValueOrDefault(m.Address.ToString()),
            });
            return Results.Ok(new { members });
        });
    }

    public sealed record MemberRequest(string Address);

    private static IResult ChangeMember(ActorSystem system, string address, Action<Akka.Cluster.Cluster, Address> change)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == address);
        if (member is null) return Results.NotFound(new { error = $"no member '{address}'; see GET /api/cluster" });
        change(cluster, member.Address);
        return Results.Accepted();
    }

    /// <summary>
    /// Server-sent events: the job's status whenever it changes, ending after the final state. Polls the job manager
    /// (a local actor) a few times a second rather than holding a subscription a dropped client would leak.
    /// </summary>
    private static async Task JobEvents(string id, HttpContext context, IRequiredActor<JobManagerKey> manager, Microsoft.Extensions.Options.IOptions<JsonOptions> json)
    {
        var jobs = await manager.GetAsync();
        var first = await jobs.Ask<object>(new JobQueries.GetJob(id), AskTimeout);
        if (first is not JobStatus)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new { error = $"no job '{id}'" });
            return;
        }
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string? last = null;
        var cancellation = context.RequestAborted;
        while (!cancellation.IsCancellationRequested)
        {
            var status = await jobs.Ask<JobStatus>(new JobQueries.GetJob(id), AskTimeout, cancellation);
            var data = JsonSerializer.Serialize(status, json.Value.SerializerOptions);
            if (data != last)
            {
                await context.Response.WriteAsync($"event: status\ndata: {data}\n\n", cancellation);
                await context.Response.Body.FlushAsync(cancellation);
                last = data;
            }
            if (status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) return;
            await Task.Delay(250, cancellation);
        }
    }

    private static IResult Status(object reply) => reply switch
    {
        JobStatus s => Results.Ok(s),
        JobReplies.JobNotFound n => Results.NotFound(new { error = $"no job '{n.JobId}'" }),
        _ => Results.Problem($"unexpected reply {reply.GetType().Name}"),
    };
}
