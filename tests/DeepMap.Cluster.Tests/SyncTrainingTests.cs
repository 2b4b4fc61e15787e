using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Training;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// The cluster's oracle: a synchronous job gives the same weights, bit for bit, as the same partitions summed in the
/// same order by DeepMap.Tensors alone in one process, however many workers host the partitions.
/// </summary>
public sealed class SyncTrainingTests
{
    private static readonly string Spec = """
        name: sync-oracle
        seed: 7
        data: {format: csv, path: boston_housing.csv, target: MEDV, test_split: 0.2, validation_split: 0.1, scale: standard}
        model:
          input: [13]
          layers:
            - dense: {units: 64, activation: relu}
            - dropout: {rate: 0.1}
            - dense: {units: 32, activation: relu}
            - dense: {units: 1}
        loss: mse
        optimizer: {type: adam, lr: 0.01}
        metrics: [mae]
        epochs: 10
        batch_size: 30
        partitions: 4
        ps_shards: 3
        checkpoint_every: 25
        """;

    private static string[] DataRoots => [Path.Combine(Repository.Root, "examples", "data")];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sync_training_on_any_number_of_workers_matches_one_process_bit_for_bit(int workers)
    {
        await using var cluster = await LocalCluster.Start(workers, DataRoots);
        var status = await cluster.Run(Spec, TimeSpan.FromSeconds(120));
        Assert.True(status.State == JobState.Succeeded, $"job {status.State}: {status.Error}");
        var oracle = OneProcessOracle.Train(Spec, DataRoots);
        Assert.Equal(WeightsDigest.Sha256(oracle.Parameters), status.WeightsSha256);
        Assert.True(status.Test["mae"] < 6, $"test MAE {status.Test["mae"]}");

        // The saved model carries the parameter servers' optimizer state, equal to the one-process optimizer's.
        var saved = Sequential.Load(Path.Combine(cluster.StateDirectory, "jobs", status.Id, "model.safetensors"), new CpuBackend(1));
        Assert.Equal(oracle.Optimizer!.Steps, saved.Optimizer!.Steps);
        var expected = oracle.Optimizer.State(oracle.Parameters).ToDictionary(s => s.Name, s => s.Value.ToArray());
        foreach (var (name, value) in saved.Optimizer.State(saved.Parameters)) Assert.Equal(expected[name], value.ToArray());

        // The last checkpoint is the end's, the final weights with their optimizer state.
        var checkpoint = Sequential.Load(Path.Combine(cluster.StateDirectory, "jobs", status.Id, "checkpoint.safetensors"), new CpuBackend(1));
        Assert.Equal(status.Steps, checkpoint.Optimizer!.Steps);
        Assert.Equal(status.WeightsSha256, WeightsDigest.Sha256(checkpoint.Parameters));

        // The training MAE, summed from the partitions' batches: every epoch's on the curve, the last one's in the status.
        var epochs = status.Curve.Where(p => p.Training is not null).ToArray();
        Assert.Equal(10, epochs.Length);
        Assert.Equal(epochs[^1].Training!["mae"], status.Metrics["mae"]);
        Assert.InRange(status.Metrics["mae"], 0.1, 10);
        Assert.True(epochs[^1].Training!["mae"] < epochs[0].Training!["mae"], $"training MAE {epochs[0].Training!["mae"]} in the first epoch, {epochs[^1].Training!["mae"]} in the last");
    }
}
