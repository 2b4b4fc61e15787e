using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>The coordinator killed mid-job and started again on the same state directory: the job resumes from its checkpoint.</summary>
public sealed class CoordinatorRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_coordinator_killed_mid_job_resumes_from_its_checkpoint_and_the_weights_match_the_undisturbed_run()
    {
        const int checkpointEvery = 50;
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml"))
            .Replace("epochs: 10", "epochs: 100").Replace("ps_shards: 1", "ps_shards: 2").Replace("checkpoint_every: 100", $"checkpoint_every: {checkpointEvery}");
        using var cluster = ProcessCluster.Start(workers: 2, dataRoots, stepTimeoutSeconds: 2, rejoinAfterSeconds: 3);
        try
        {
            await cluster.WaitForWorkers(2);
            var created = await cluster.Http.PostAsync("/api/jobs", new StringContent(spec));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            long step;
            do
            {
                await Task.Delay(50);
                step = (await cluster.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("step").GetInt64();
            }
            while (step < 3 * checkpointEvery + checkpointEvery / 2);
            cluster.RestartCoordinator();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine($"killed and restarted the coordinator at step {step} or a little later");

            var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
            output.WriteLine($"finished {clock.Elapsed.TotalSeconds:F1} s after the restart: {status.GetProperty("resumed")}");
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var resumed = Assert.Single(status.GetProperty("resumed").EnumerateArray());
            var from = resumed.GetProperty("step").GetInt64();
            Assert.True(from >= 3 * checkpointEvery && from % checkpointEvery == 0, $"resumed from step {from}, not the last checkpoint");
            Assert.InRange(resumed.GetProperty("steps_redone").GetInt64(), 0, checkpointEvery);
            var oracle = OneProcessOracle.Train(spec, [dataRoots]);
            Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }

    [Fact]
    public async Task A_bounded_staleness_job_resumes_too_with_each_partition_at_its_own_step()
    {
        const int checkpointEvery = 50;
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml"))
            .Replace("epochs: 10", "epochs: 100").Replace("checkpoint_every: 100", $"checkpoint_every: {checkpointEvery}") + "consistency: bounded\nstaleness: 2\n";
        using var cluster = ProcessCluster.Start(workers: 2, dataRoots, stepTimeoutSeconds: 2, rejoinAfterSeconds: 3);
        try
        {
            await cluster.WaitForWorkers(2);
            var created = await cluster.Http.PostAsync("/api/jobs", new StringContent(spec));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            long step;
            do
            {
                await Task.Delay(50);
                step = (await cluster.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("step").GetInt64();
            }
            while (step < 3 * checkpointEvery + checkpointEvery / 2);
            cluster.RestartCoordinator();
            output.WriteLine($"killed and restarted the coordinator at step {step} or a little later");

            var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
            output.WriteLine($"{status.GetProperty("state")}: resumed {status.GetProperty("resumed")}, test {status.GetProperty("test")}");
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var resumed = Assert.Single(status.GetProperty("resumed").EnumerateArray());
            var from = resumed.GetProperty("step").GetInt64();
            // Checkpoints are taken at the slowest partition's step, at most `staleness` behind the status's average.
            Assert.True(from >= 3 * checkpointEvery && from % checkpointEvery == 0, $"resumed from step {from}, not the last checkpoint");
            Assert.Equal(status.GetProperty("steps").GetInt64(), status.GetProperty("step").GetInt64());
            Assert.InRange(status.GetProperty("test").GetProperty("mae").GetDouble(), 0, 6);
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }
}
