using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// consistency: async and bounded — each partition's gradient applied as it arrives — and compression: fp16 — tensors
/// rounded to half precision on the wire — against sync accuracy.
/// </summary>
public sealed class AsynchronousModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Async_bounded_staleness_and_fp16_compression_stay_within_a_point_of_sync_accuracy()
    {
        var spec = FashionMnistJob.Spec("fashion-async", epochs: 4, batchSize: 128, partitions: 4);
        var roots = new[] { "/usr/share/datasets" };
        using var cluster = ProcessCluster.Start(workers: 2, string.Join(':', roots), stepTimeoutSeconds: 5);
        try
        {
            await cluster.WaitForWorkers(2);
            await cluster.WaitForPartitionRegions(2);
            var oracle = OneProcessOracle.Train(spec, roots);
            var sync = OneProcessOracle.TestAccuracy(oracle, spec, roots);
            // Four epochs, not two: after two, accuracy still climbs steeply and the asynchronous modes' order of
            // application moved bounded staleness by up to 1.1 points around sync (0.8329 to 0.8546 against 0.8442);
            // after four, four runs of each stayed within 0.4 points of sync's 0.8639 (bounded 0.8606 to 0.8680).
            foreach (var (mode, points) in new[] { ("consistency: async", 0.01), ("consistency: bounded\nstaleness: 2", 0.01), ("compression: fp16", 0.01) })
            {
                var (status, _) = await cluster.RunJob(spec + "\n" + mode + "\n");
                var accuracy = status.GetProperty("test").GetProperty("accuracy").GetDouble();
                output.WriteLine($"{mode.Replace('\n', ' ')}: test accuracy {accuracy:F4} against sync {sync:F4}; {status.GetProperty("step")} steps, samples by node {status.GetProperty("node_samples")}");
                Assert.Equal(status.GetProperty("steps").GetInt64(), status.GetProperty("step").GetInt64());
                Assert.Equal(2, status.GetProperty("node_samples").EnumerateObject().Count());
                Assert.InRange(accuracy, sync - points, 1);
                // Rounded tensors cannot give the float32 oracle's weights: had compression done nothing, they would.
                if (mode.StartsWith("compression")) Assert.NotEqual(WeightsDigest.Sha256(oracle.Parameters), status.GetProperty("weights_sha256").GetString());
            }
        }
        finally
        {
            output.WriteLine(cluster.Tail(20));
        }
    }
}
