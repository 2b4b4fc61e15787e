using System.Net.Http.Json;
using System.Text.Json;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// A worker cut off from the rest of the cluster by a real network partition (a Linux network namespace whose link is
/// taken down): the split-brain resolver keeps the majority (the coordinator and the other worker), downs the cut-off
/// worker, its partitions move, and the job ends with the undisturbed weights; once the link is back the cut-off
/// worker, downed, starts a new actor system and joins again. Needs root for `ip netns`, and fails saying so without it.
/// </summary>
public sealed class NetworkPartitionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_worker_cut_off_by_a_network_partition_is_downed_the_job_ends_with_the_undisturbed_weights_and_the_worker_rejoins()
    {
        var dataRoots = Path.Combine(Repository.Root, "examples", "data");
        var spec = File.ReadAllText(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 150");
        using var netns = NetworkNamespace.Create();
        output.WriteLine($"namespace {netns.Name}: host {netns.HostLink} {netns.HostAddress}, inside {netns.InnerLink} {netns.InnerAddress}");
        // The coordinator and worker 0 on the host side of the veth pair, worker 1 inside the namespace.
        using var cluster = ProcessCluster.Start(workers: 1, dataRoots, stepTimeoutSeconds: 2, host: netns.HostAddress);
        try
        {
            cluster.AddWorker(new Dictionary<string, string> { ["DEEPMAP_HOST"] = netns.InnerAddress }, netns.Name);
            await cluster.WaitForWorkers(2);
            await cluster.WaitForPartitionRegions(2);
            var id = await cluster.Submit(spec);

            var cutOff = cluster.WorkerAddress(1);
            Assert.Contains($"@{netns.InnerAddress}:", cutOff, StringComparison.Ordinal);
            var running = await WaitUntilHosting(cluster, id, cutOff);
            netns.Cut();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine($"cut {cutOff} off at step {running.GetProperty("step").GetInt64()}: {running.GetProperty("node_samples")}");

            var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(3));
            output.WriteLine($"finished {clock.Elapsed.TotalSeconds:F1} s after the cut: {status.GetProperty("node_samples")}");
            Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
            var oracle = OneProcessOracle.Train(spec, [dataRoots]);
            Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
            // The majority side downed the cut-off worker (Sharding moves a node's partitions only once it is removed).
            var members = await Members(cluster);
            output.WriteLine($"members after the job: {string.Join(", ", members)}");
            Assert.False(members.Any(m => m.Address == cutOff && m.Status == "up"), $"{cutOff} is still up after the job: {string.Join(", ", members)}");

            netns.Restore();
            output.WriteLine($"restored the link {clock.Elapsed.TotalSeconds:F1} s after the cut");
            var back = await WaitForMemberUp(cluster, $"@{netns.InnerAddress}:", TimeSpan.FromSeconds(90));
            output.WriteLine($"{back} up again {clock.Elapsed.TotalSeconds:F1} s after the cut");
            Assert.NotEqual(cutOff, back);
            Assert.Contains("joining again", cluster.WorkerOutput(1), StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(cluster.Tail(40));
        }
    }

    /// <summary>Waits until the job is past step 100 and the worker at this address has computed samples of it.</summary>
    private static async Task<JsonElement> WaitUntilHosting(ProcessCluster cluster, string id, string worker)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var running = await cluster.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            var hosting = running.TryGetProperty("node_samples", out var samples) && samples.ValueKind == JsonValueKind.Object &&
                samples.TryGetProperty(worker, out var mine) && mine.GetInt64() > 0;
            if (hosting && running.GetProperty("step").GetInt64() >= 100) return running;
            if (running.GetProperty("state").GetString() is not ("running" or "queued") || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the job never ran past step 100 with partitions on {worker}: {running}\n{cluster.Tail(40)}");
            await Task.Delay(50);
        }
    }

    private static async Task<(string Address, string Status)[]> Members(ProcessCluster cluster) =>
        (await cluster.Http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("status").GetString()!)).ToArray();

    /// <summary>Waits until a member whose address contains this text is up, and gives its address.</summary>
    private static async Task<string> WaitForMemberUp(ProcessCluster cluster, string addressPart, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var up = (await Members(cluster)).FirstOrDefault(m => m.Status == "up" && m.Address.Contains(addressPart, StringComparison.Ordinal));
            if (up.Address is not null) return up.Address;
            await Task.Delay(500);
        }
        throw new TimeoutException($"no member at {addressPart} came up again within {timeout.TotalSeconds:0} s: {string.Join(", ", await Members(cluster))}");
    }
}
