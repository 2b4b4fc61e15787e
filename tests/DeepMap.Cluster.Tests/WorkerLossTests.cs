using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>A worker killed mid-job: its partitions move to the other worker and the job ends with the undisturbed weights.</summary>
public sealed class WorkerLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_worker_killed_mid_job_loses_nothing_and_the_weights_match_the_undisturbed_run()
    {
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 150");
        using var cluster = ProcessCluster.Start(workers: 2, dataRoots, stepTimeoutSeconds: 2);
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
        while (step < 100);
        cluster.KillWorker(1);
        output.WriteLine($"killed worker 1 at step {step}");

        var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
        Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
        var oracle = OneProcessOracle.Train(spec, [dataRoots]);
        Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
    }
}
