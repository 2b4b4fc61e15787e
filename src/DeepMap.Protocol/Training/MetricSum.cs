using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Training;

/// <summary>
/// A metric over one partition's batch, as a sum over Count values rather than a mean, so the trainer adds the
/// partitions' batches up to an epoch's value (Sum / Count) that weighs every sample once.
/// </summary>
public sealed record MetricSum(Metric Metric, double Sum, long Count);
