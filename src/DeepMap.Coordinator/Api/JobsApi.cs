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

    private static IResult Status(object reply) => reply switch
    {
        JobStatus s => Results.Ok(s),
        JobReplies.JobNotFound n => Results.NotFound(new { error = $"no job '{n.JobId}'" }),
        _ => Results.Problem($"unexpected reply {reply.GetType().Name}"),
    };
}
