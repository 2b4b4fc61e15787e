using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Training;

/// <summary>
/// What any node needs to compute a job's partitions: small, and sent with every step request, so a partition that
/// moves to another node rebuilds itself from the request alone. <see cref="ShardOffsets"/> cut the flat parameter
/// vector among the parameter-server shards (length shards + 1). LatestWeights: a partition computes at whatever
/// weights the shards hold when it asks (the asynchronous modes), not at the version its step names.
/// <see cref="Metrics"/>: what each batch measures besides its loss, for the job's training metrics.
/// <see cref="ShardEndpoints"/>: where each shard takes its gradients (its node's tensor data channel);
/// <see cref="Compression"/>: how gradients and weights are written on that channel.
/// </summary>
public sealed record PartitionSetup(
    string JobId,
    string ModelSpecJson,
    Loss Loss,
    Metric[] Metrics,
    ulong Seed,
    int Partitions,
    int GlobalBatch,
    int TrainRows,
    int[] FeatureShape,
    int[] TargetShape,
    int[] ShardOffsets,
    string TrainerPath,
    string[] ShardEndpoints,
    WireEncoding Compression,
    bool LatestWeights = false)
{
    public int Shards => ShardOffsets.Length - 1;

    public int ParameterCount => ShardOffsets[^1];
}
