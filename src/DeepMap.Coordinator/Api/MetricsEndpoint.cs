using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Jobs;

namespace DeepMap.Coordinator.Api;

/// <summary>Prometheus text exposition at /metrics: jobs by state, each running job's progress, loss and throughput, per-worker samples, cluster members.</summary>
public static class MetricsEndpoint
{
    public static void MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async (ActorSystem system, IRequiredActor<JobManagerKey> manager) =>
        {
            var jobs = (await (await manager.GetAsync()).Ask<JobReplies.JobList>(new JobQueries.ListJobs(), TimeSpan.FromSeconds(10))).Jobs;
            var roles = Akka.Cluster.Cluster.Get(system).State.Members.SelectMany(m => m.Roles.Select(r => (Role: r, Status: m.Status.ToString().ToLowerInvariant())));
            return Results.Text(Render(jobs, roles), "text/plain; version=0.0.4");
        });

    /// <summary>The exposition text for these jobs and cluster members, the members given as one (role, status) per role of each.</summary>
    public static string Render(IReadOnlyList<JobStatus> jobs, IEnumerable<(string Role, string Status)> memberRoles)
    {
        var text = new StringBuilder();
        Header(text, "deepmap_jobs", "gauge", "Jobs by state.");
        foreach (var state in Enum.GetValues<JobState>())
            Line(text, "deepmap_jobs", $"state=\"{state.ToString().ToLowerInvariant()}\"", jobs.Count(j => j.State == state));
        var running = jobs.Where(j => j.State == JobState.Running).ToArray();
        Header(text, "deepmap_job_step", "gauge", "Steps done by a running job.");
        foreach (var j in running) Line(text, "deepmap_job_step", Job(j), j.Step);
        Header(text, "deepmap_job_steps", "gauge", "Steps a running job will take.");
        foreach (var j in running) Line(text, "deepmap_job_steps", Job(j), j.Steps);
        Header(text, "deepmap_job_loss", "gauge", "Training loss of a running job's last step.");
        foreach (var j in running.Where(j => j.Loss is not null)) Line(text, "deepmap_job_loss", Job(j), j.Loss!.Value);
        Header(text, "deepmap_job_samples_per_second", "gauge", "Training throughput of a running job.");
        foreach (var j in running) Line(text, "deepmap_job_samples_per_second", Job(j), j.SamplesPerSecond);
        Header(text, "deepmap_job_seconds_per_step", "gauge", "Mean wall time of a running job's steps since it started training (or resumed); queue time excluded.");
        foreach (var j in running.Where(j => j.SecondsPerStep > 0)) Line(text, "deepmap_job_seconds_per_step", Job(j), j.SecondsPerStep);
        Header(text, "deepmap_worker_samples_total", "counter", "Samples each worker node computed for a job.");
        foreach (var j in jobs)
            foreach (var (node, samples) in j.NodeSamples)
                Line(text, "deepmap_worker_samples_total", $"{Job(j)},node=\"{Escape(node)}\"", samples);
        Header(text, "deepmap_cluster_members", "gauge", "Cluster members by role and status.");
        foreach (var group in memberRoles.GroupBy(x => x))
            Line(text, "deepmap_cluster_members", $"role=\"{Escape(group.Key.Role)}\",status=\"{group.Key.Status}\"", group.Count());
        return text.ToString();
    }

    private static string Job(JobStatus j) => $"job=\"{Escape(j.Id)}\"";

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}
