using System.Text.Json;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>Workers lost (killed or stopped) or added mid-job: partitions move, and the job ends with the undisturbed weights.</summary>
public sealed class MembershipChangeTests(ITestOutputHelper output)
{
    /// <summary>With DEEPMAP_DOWN_AFTER at 7 s instead of Akka's 20, as a small cluster would set it.</summary>
    [Fact]
    public Task A_worker_killed_mid_job_loses_nothing_and_the_weights_match_the_undisturbed_run() =>
        LoseWorker((cluster, w) =>
        {
            cluster.KillWorker(w);
            return "killed";
        }, downAfterSeconds: 7);

    [Fact]
    public Task A_worker_stopped_with_sigterm_leaves_gracefully_and_the_weights_match_the_undisturbed_run() =>
        LoseWorker((cluster, w) =>
        {
            Assert.True(cluster.TerminateWorker(w, TimeSpan.FromSeconds(30)), "the worker did not exit within 30 s of SIGTERM");
            return "terminated";
        });

    [Fact]
    public async Task A_worker_that_joins_mid_job_takes_partitions_and_the_weights_match_the_undisturbed_run()
    {
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 600");
        using var cluster = ProcessCluster.Start(workers: 0, dataRoots, stepTimeoutSeconds: 2);
        // The first worker pauses 4 ms per gradient, so the job outlasts the second worker's start, join and the
        // rebalance that gives it partitions (Sharding rebalances every 10 s) on any machine: the weights do not change.
        cluster.AddWorker(new Dictionary<string, string> { ["DEEPMAP_STRAGGLE_MS"] = "4" });
        await cluster.WaitForWorkers(1);
        var id = await cluster.Submit(spec);
        cluster.AddWorker();
        try
        {
            var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var nodes = status.GetProperty("node_samples").EnumerateObject().ToArray();
            output.WriteLine(string.Join(", ", nodes.Select(n => $"{n.Name}: {n.Value}")));
            Assert.Equal(2, nodes.Length);
            var oracle = OneProcessOracle.Train(spec, [dataRoots]);
            Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }

    /// <summary>Loses the worker that has computed the most samples — one that hosts partitions — at step 100.</summary>
    private async Task LoseWorker(Func<ProcessCluster, int, string> lose, double? downAfterSeconds = null)
    {
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 150");
        using var cluster = ProcessCluster.Start(workers: 2, dataRoots, stepTimeoutSeconds: 2, downAfterSeconds: downAfterSeconds);
        await cluster.WaitForWorkers(2);
        var id = await cluster.Submit(spec);

        try
        {
            await LoseWorkerAt100(cluster, id, lose, spec, dataRoots);
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }

    private async Task LoseWorkerAt100(ProcessCluster cluster, string id, Func<ProcessCluster, int, string> lose, string spec, string dataRoots)
    {
        var running = await cluster.WaitForStep(id, 100);
        var busiest = running.GetProperty("node_samples").EnumerateObject().MaxBy(n => n.Value.GetInt64()).Name;
        var worker = cluster.WorkerAt(busiest);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        output.WriteLine($"{lose(cluster, worker)} worker {worker} ({busiest}) at step {running.GetProperty("step").GetInt64()}");

        var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
        output.WriteLine($"finished {clock.Elapsed.TotalSeconds:F1} s after losing the worker");
        Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
        var oracle = OneProcessOracle.Train(spec, [dataRoots]);
        Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
    }
}
