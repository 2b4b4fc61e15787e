using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Jobs;

/// <summary>
/// A training job as submitted: data, model, loss, optimizer and how the cluster runs it. With Backup = k > 0 a
/// synchronous step closes once all but k partitions have sent their gradients: the slowest k are left out of it.
/// The asynchronous modes apply each partition's gradient as it arrives; Bounded keeps every partition within
/// Staleness steps of the slowest. Compression: how gradients and weights travel between nodes.
/// </summary>
public sealed record JobSpec(
    string Name,
    ulong Seed,
    DataSpec Data,
    ModelSpec Model,
    Loss Loss,
    OptimizerSpec Optimizer,
    IReadOnlyList<Metric> Metrics,
    int Epochs,
    int BatchSize,
    int Partitions,
    int PsShards,
    int CheckpointEvery,
    int Backup = 0,
    Consistency Consistency = Consistency.Sync,
    int Staleness = 0,
    Compression Compression = Compression.None);

public enum Compression
{
    /// <summary>float32 as computed: sync jobs give the same weights as one process.</summary>
    None,

    /// <summary>Rounded to IEEE half precision on the wire (half the bytes); the shards keep float32 weights and optimizer state.</summary>
    Fp16,
}

public enum Consistency
{
    /// <summary>Every step sums all partitions' gradients at one version: the same weights on any number of workers.</summary>
    Sync,

    /// <summary>Each partition's gradient is applied as it arrives, at whatever weights the partition computed it.</summary>
    Async,

    /// <summary>Async, but no partition starts a step more than Staleness steps ahead of the slowest (stale synchronous parallel).</summary>
    Bounded,
}

public enum DataFormat
{
    Csv,
    Idx,
}

public enum Scaling
{
    None,

    /// <summary>Zero mean and unit variance per feature, with statistics of the training rows only.</summary>
    Standard,

    /// <summary>x / 255, for 8-bit images.</summary>
    Unit,
}

/// <summary>
/// Where a job's samples come from, relative to the data roots. CSV: one file and its target column. IDX: training
/// images and labels, and optionally test images and labels (else <see cref="TestSplit"/> of the training rows).
/// </summary>
public sealed record DataSpec(
    DataFormat Format,
    string? Path,
    string? Target,
    string? TrainImages,
    string? TrainLabels,
    string? TestImages,
    string? TestLabels,
    double TestSplit,
    double ValidationSplit,
    Scaling Scale);
