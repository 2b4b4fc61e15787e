using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Transport;

namespace DeepMap.Protocol.ParameterServer;

/// <summary>What makes a parameter-server shard apply a step.</summary>
public enum ParameterServerStepping
{
    /// <summary>Every partition's slice of the step is in (consistency: sync).</summary>
    AllPartitions,

    /// <summary>The trainer's CloseStep names the partitions that make the step (sync with backup partitions).</summary>
    NamedByTrainer,

    /// <summary>Each partition's slice is a step of its own, applied as it arrives (consistency: async or bounded).</summary>
    EachContribution,
}

public static class ParameterServerCommands
{
    /// <summary>
    /// One chunk of one slot of a shard's starting state, with what the shard needs to train it: the optimizer and how
    /// many partitions contribute to a step. Slot 0 is the weights; a job resumed from a checkpoint also sends the
    /// optimizer's slots (Slots = 1 + their count), its step count, and the version the weights are; Stepping says
    /// what makes it apply a step.
    /// </summary>
    public sealed record InitializeShard(string JobId, int Shard, int Length, int Partitions, string OptimizerSpecJson, string TrainerPath,
        long Version, long OptimizerSteps, int Slot, int Slots, ParameterServerStepping Stepping, int Chunk, float[] Values) : IParameterServerMessage, ITensorMessage
    {
        public IReadOnlyList<float[]> Tensors => [Values];

        public ITensorMessage WithTensors(IReadOnlyList<float[]> tensors) => this with { Values = tensors[0] };
    }

    /// <summary>
    /// One chunk of partition k's gradient slice for its step Step — in sync mode computed at weight version Step —
    /// (Samples = 0: the partition had no rows left).
    /// </summary>
    public sealed record GradientSlice(string JobId, int Shard, long Step, int Partition, int Samples, double Loss, int Chunk, float[] Values)
        : IParameterServerMessage, ITensorMessage
    {
        public IReadOnlyList<float[]> Tensors => [Values];

        public ITensorMessage WithTensors(IReadOnlyList<float[]> tensors) => this with { Values = tensors[0] };
    }

    /// <summary>
    /// The shard's weights at Version (or, with <see cref="Latest"/>, whatever version it holds), answered with every
    /// chunk of <see cref="ParameterServerReplies.WeightsChunk"/> on the tensor data channel at ReplyTo (the asking node's
    /// channel endpoint), written in Encoding; or with <see cref="ParameterServerReplies.WeightsUnavailable"/> there.
    /// </summary>
    public sealed record GetWeights(string JobId, int Shard, long Version, string ReplyTo, WireEncoding Encoding) : IParameterServerMessage
    {
        public const long Latest = -1;
    }

    /// <summary>
    /// The shard's weights and optimizer state for a checkpoint, answered with every chunk of every slot as
    /// <see cref="ParameterServerReplies.StateChunk"/>: slot 0 the weights, then the optimizer's slots in its order.
    /// </summary>
    public sealed record GetState(string JobId, int Shard, long Version) : IParameterServerMessage;

    /// <summary>
    /// Closes step Step (made of weight version Step) with exactly these partitions' contributions, the same set on every shard: the first
    /// that reached the trainer when the job leaves its slowest partitions out (backup partitions). Carried: late parts
    /// of earlier steps (at most <see cref="LateSteps"/> back) from partitions those steps left out, which join this
    /// one, so a partition that is always a little late still trains on its data, a few steps stale.
    /// </summary>
    public sealed record CloseStep(string JobId, int Shard, long Step, int[] Partitions, LatePart[] Carried) : IParameterServerMessage
    {
        public const int LateSteps = 4;
    }

    /// <summary>Partition's contribution to an earlier step that closed without it.</summary>
    public sealed record LatePart(int Partition, long Step);

    public sealed record StopShard(string JobId, int Shard) : IParameterServerMessage;
}

public static class ParameterServerReplies
{
    /// <summary>The shard is initialized; gradients for it go to the tensor data channel at DataEndpoint.</summary>
    public sealed record ShardReady(string JobId, int Shard, string DataEndpoint) : IDeepMapMessage;

    /// <summary>The shard applied its step Step (in the asynchronous modes, its Step-th contribution): its weights are now version Step + 1.</summary>
    public sealed record ShardStepped(string JobId, int Shard, long Step, double LossSum, int Samples) : IDeepMapMessage;

    public sealed record WeightsChunk(string JobId, int Shard, long Version, int Chunk, float[] Values) : ITensorMessage
    {
        public IReadOnlyList<float[]> Tensors => [Values];

        public ITensorMessage WithTensors(IReadOnlyList<float[]> tensors) => this with { Values = tensors[0] };
    }

    public sealed record StateChunk(string JobId, int Shard, long Version, long OptimizerSteps, int Slot, int Slots, int Chunk, float[] Values) : ITensorMessage
    {
        public IReadOnlyList<float[]> Tensors => [Values];

        public ITensorMessage WithTensors(IReadOnlyList<float[]> tensors) => this with { Values = tensors[0] };
    }

    /// <summary>The shard does not hold that version (yet, or any more); the asker retries or re-plans.</summary>
    public sealed record WeightsUnavailable(string JobId, int Shard, long Requested, long Current) : IDeepMapMessage;
}
