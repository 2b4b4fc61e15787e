using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>The coordinator killed mid-job and started again on the same state directory: the job resumes from its checkpoint.</summary>
public sealed class CoordinatorRestartTests(ITestOutputHelper output)
{
    private const int CheckpointEvery = 50;

    private static readonly string DataRoots = Path.Combine(Repository.Root, "examples", "data");

    /// <summary>Boston for 100 epochs (1 200 steps) with a checkpoint every 50 steps, and these extra lines.</summary>
    private static string Spec(string extra = "") =>
        File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml"))
            .Replace("epochs: 10", "epochs: 100").Replace("checkpoint_every: 100", $"checkpoint_every: {CheckpointEvery}") + extra;

    [Fact]
    public async Task A_coordinator_killed_mid_job_resumes_from_its_checkpoint_and_the_weights_match_the_undisturbed_run()
    {
        var spec = Spec().Replace("ps_shards: 1", "ps_shards: 2");
        var status = await KillCoordinatorMidJob(spec);
        Assert.InRange(status.GetProperty("resumed")[0].GetProperty("steps_redone").GetInt64(), 0, CheckpointEvery);
        var oracle = OneProcessOracle.Train(spec, [DataRoots]);
        Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
    }

    [Fact]
    public async Task A_bounded_staleness_job_resumes_too_with_each_partition_at_its_own_step()
    {
        // Checkpoints are taken at the slowest partition's step, at most `staleness` behind the status's average.
        var status = await KillCoordinatorMidJob(Spec("consistency: bounded\nstaleness: 2\n"));
        Assert.Equal(status.GetProperty("steps").GetInt64(), status.GetProperty("step").GetInt64());
        Assert.InRange(status.GetProperty("test").GetProperty("mae").GetDouble(), 0, 6);
    }

    [Fact]
    public async Task A_job_whose_end_was_not_recorded_completes_from_its_final_checkpoint_without_another_step()
    {
        var state = Directory.CreateTempSubdirectory("deepmap-state-").FullName;
        try
        {
            var spec = Spec().Replace("epochs: 100", "epochs: 2").Replace($"checkpoint_every: {CheckpointEvery}", "checkpoint_every: 1000");
            JobStatus finished;
            await using (var cluster = await LocalCluster.Start(workers: 1, [DataRoots], stateDirectory: state))
                finished = await cluster.Run(spec, TimeSpan.FromSeconds(60));
            Assert.True(finished.State == JobState.Succeeded, $"job {finished.State}: {finished.Error}");

            // As if the coordinator had stopped after the final checkpoint, before it recorded the end and wrote the model.
            var directory = Path.Combine(state, "jobs", finished.Id);
            File.Delete(Path.Combine(directory, "model.safetensors"));
            var file = Path.Combine(directory, "status.json");
            var stored = JsonNode.Parse(File.ReadAllText(file))!;
            stored["state"] = "running";
            stored["finished"] = null;
            File.WriteAllText(file, stored.ToJsonString());

            await using (var cluster = await LocalCluster.Start(workers: 1, [DataRoots], stateDirectory: state))
            {
                var status = await cluster.WaitForEnd(finished.Id, TimeSpan.FromSeconds(60));
                Assert.True(status.State == JobState.Succeeded, $"job {status.State}: {status.Error}");
                Assert.Equal(finished.WeightsSha256, status.WeightsSha256);
                Assert.Equal(finished.Test, status.Test);
                Assert.Equal(new ResumePoint(status.Resumed[^1].At, status.Steps, 0), status.Resumed[^1]);
                var model = Sequential.Load(Path.Combine(directory, "model.safetensors"), new CpuBackend(1));
                Assert.Equal(status.Steps, model.Optimizer!.Steps);
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>
    /// Runs the job on two workers, kills the coordinator at step ~175 and starts it again on the same state directory;
    /// checks the job succeeded after resuming once from its last checkpoint (150).
    /// </summary>
    private async Task<JsonElement> KillCoordinatorMidJob(string spec)
    {
        using var cluster = ProcessCluster.Start(workers: 2, DataRoots, stepTimeoutSeconds: 2, rejoinAfterSeconds: 3);
        try
        {
            await cluster.WaitForWorkers(2);
            var id = await cluster.Submit(spec);
            var step = (await cluster.WaitForStep(id, 3 * CheckpointEvery + CheckpointEvery / 2)).GetProperty("step").GetInt64();
            cluster.RestartCoordinator();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine($"killed and restarted the coordinator at step {step} or a little later");

            var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
            output.WriteLine($"{status.GetProperty("state")} {clock.Elapsed.TotalSeconds:F1} s after the restart: resumed {status.GetProperty("resumed")}, test {status.GetProperty("test")}");
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var resumed = Assert.Single(status.GetProperty("resumed").EnumerateArray());
            var from = resumed.GetProperty("step").GetInt64();
            Assert.True(from >= 3 * CheckpointEvery && from % CheckpointEvery == 0, $"resumed from step {from}, not the last checkpoint");
            return status;
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }
}
