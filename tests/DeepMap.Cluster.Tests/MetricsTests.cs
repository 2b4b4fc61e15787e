using DeepMap.Coordinator.Api;
using DeepMap.Protocol.Jobs;

namespace DeepMap.Cluster.Tests;

public sealed class MetricsTests
{
    private static JobStatus Running(string id, long step, double secondsPerStep) =>
        new(id, "mlp", JobState.Running, 1, 3, step, 300, 0.5, new Dictionary<string, double>(), new Dictionary<string, double>(),
            new Dictionary<string, double>(), 512, null, null, null, DateTimeOffset.UtcNow.AddHours(-1), null) { SecondsPerStep = secondsPerStep };

    [Fact]
    public void Seconds_per_step_is_the_jobs_step_time_without_the_hour_it_queued()
    {
        var text = MetricsEndpoint.Render([Running("j1", 40, 0.125), Running("j2", 0, 0)], [("worker", "up")]);
        var lines = text.Split('\n').Where(l => l.StartsWith("deepmap_job_seconds_per_step{", StringComparison.Ordinal)).ToArray();
        // A job before its first step has no step time yet.
        Assert.Equal(["deepmap_job_seconds_per_step{job=\"j1\"} 0.125"], lines);
    }
}
