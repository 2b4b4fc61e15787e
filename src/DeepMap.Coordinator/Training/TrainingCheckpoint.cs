using System.Globalization;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.IO;
using DeepMap.Tensors.Models;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// What a job's checkpoint keeps besides the model's weights and optimizer state (which <see cref="Sequential.Save"/>
/// writes): the cursor to go on from, the epoch's loss and metric sums so far, and the steps each partition has sent
/// (the asynchronous modes' data cursors). Written by the trainer at checkpoint steps and after the last one; read
/// when a restarted coordinator resumes the job.
/// </summary>
public sealed record TrainingCheckpoint(long Step, double EpochLossSum, int EpochSteps, string EpochMetrics, long[] PartitionSteps)
{
    public const string StepKey = "deepmap.global_step";
    private const string EpochLossKey = "deepmap.epoch_loss_sum";
    private const string EpochStepsKey = "deepmap.epoch_steps";
    private const string EpochMetricsKey = "deepmap.epoch_metrics";
    private const string PartitionStepsKey = "deepmap.partition_steps";

    /// <summary>Where a new job starts.</summary>
    public static TrainingCheckpoint Start(int partitions) => new(0, 0, 0, "", new long[partitions]);

    /// <summary>The compiled model (weights and optimizer state) and the checkpoint's cursors; a file that is not a training checkpoint of a job with this many partitions throws InvalidDataException.</summary>
    public static (Sequential Model, TrainingCheckpoint Checkpoint) Read(string path, IBackend backend, int partitions)
    {
        var content = SafeTensors.Read(path);
        var model = Sequential.Load(content, path, backend);
        var metadata = content.Metadata;
        if (model.Optimizer is null || !metadata.TryGetValue(StepKey, out var step))
            throw new InvalidDataException($"{path}: not a training checkpoint (no optimizer state or '{StepKey}')");
        var steps = metadata.TryGetValue(PartitionStepsKey, out var saved)
            ? saved.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray()
            : new long[partitions];
        if (steps.Length != partitions) throw new InvalidDataException($"{path}: '{PartitionStepsKey}' has {steps.Length} partitions; the job has {partitions}");
        return (model, new TrainingCheckpoint(
            long.Parse(step, CultureInfo.InvariantCulture),
            double.Parse(metadata.GetValueOrDefault(EpochLossKey, "0"), CultureInfo.InvariantCulture),
            int.Parse(metadata.GetValueOrDefault(EpochStepsKey, "0"), CultureInfo.InvariantCulture),
            metadata.GetValueOrDefault(EpochMetricsKey, ""),
            steps));
    }

    /// <summary>The model, resumable with <see cref="Read"/>.</summary>
    public void Write(string path, Sequential model) => model.Save(path, new Dictionary<string, string>
    {
        [StepKey] = Step.ToString(CultureInfo.InvariantCulture),
        [EpochLossKey] = EpochLossSum.ToString("R", CultureInfo.InvariantCulture),
        [EpochStepsKey] = EpochSteps.ToString(CultureInfo.InvariantCulture),
        [EpochMetricsKey] = EpochMetrics,
        [PartitionStepsKey] = string.Join(",", PartitionSteps.Select(d => d.ToString(CultureInfo.InvariantCulture))),
    });
}
