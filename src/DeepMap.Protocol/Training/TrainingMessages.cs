using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Training;

public static class PartitionCommands
{
    /// <summary>
    /// Compute partition k's gradient for its step <see cref="Step"/> (its minibatch over the whole run: the epoch is
    /// Step over the steps per epoch) and send its slices to the parameter-server shards. In sync mode step t is
    /// computed at weight version t; in the asynchronous modes (<see cref="PartitionSetup.LatestWeights"/>) at the
    /// latest. Idempotent: asked again (a retry, or after the partition moved), it sends again.
    /// </summary>
    public sealed record ComputeGradient(PartitionSetup Setup, int Partition, long Step) : IPartitionMessage
    {
        public string JobId => Setup.JobId;
    }

    /// <summary>The job is over: drop its data and weights.</summary>
    public sealed record ReleasePartition(string JobId, int Partition) : IPartitionMessage;
}

public static class PartitionEvents
{
    /// <summary>
    /// Partition k sent its slices for a step; the trainer uses it to say who it waits for, and adds up the job's
    /// training metrics from the batch's <see cref="Metrics"/> (one per metric of the job; none for an empty batch).
    /// </summary>
    public sealed record GradientSent(string JobId, int Partition, long Step, int Samples, string Node, MetricSum[] Metrics) : IDeepMapMessage;

    /// <summary>
    /// Partition k dropped a step it was asked for: the step closed without it (backup partitions) and its weights
    /// are gone. The trainer may ask it for the open step.
    /// </summary>
    public sealed record StepSkipped(string JobId, int Partition, long Step, string Node) : IDeepMapMessage;
}

public static class DataQueries
{
    /// <summary>One chunk of a partition's training rows, asked of the trainer that loaded the dataset.</summary>
    public sealed record GetPartitionData(string JobId, int Partition, int Chunk) : IDeepMapMessage;
}

public static class DataReplies
{
    /// <summary>Rows [FirstRow, FirstRow + Rows) of a partition, features and targets row-major.</summary>
    public sealed record PartitionData(string JobId, int Partition, int Chunk, int Chunks, int FirstRow, int Rows, float[] Features, float[] Targets) : ITensorMessage
    {
        public IReadOnlyList<float[]> Tensors => [Features, Targets];

        public ITensorMessage WithTensors(IReadOnlyList<float[]> tensors) => this with { Features = tensors[0], Targets = tensors[1] };
    }
}
