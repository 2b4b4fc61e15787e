using System.Text.Json;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Models;

namespace DeepMap.Coordinator.Training;

/// <summary>What a trainer sends to start a job: the setup every step request carries, and each shard's starting state.</summary>
public static class JobLaunch
{
    /// <summary>The setup, its shard endpoints empty until the shards report ready.</summary>
    public static PartitionSetup Setup(string jobId, JobSpec spec, SampleSet train, int[] offsets, string trainerPath, ParameterServerStepping stepping) =>
        new(jobId, spec.Model.ToJson(), spec.Loss, [.. spec.Metrics], spec.Seed, spec.Partitions, spec.BatchSize, train.Rows,
            train.FeatureShape, train.TargetShape, offsets, trainerPath, new string[spec.PsShards],
            spec.Compression == Compression.Fp16 ? WireEncoding.Float16 : WireEncoding.Float32,
            LatestWeights: stepping == ParameterServerStepping.EachContribution);

    /// <summary>Every chunk of every slot of every shard's slice of <paramref name="state"/>, with the optimizer it trains with.</summary>
    public static List<ParameterServerCommands.InitializeShard> ShardStates(string jobId, JobSpec spec, float[][] state, int[] offsets, string trainerPath,
        long version, long optimizerSteps, ParameterServerStepping stepping)
    {
        // In the asynchronous modes one partition's batch, 1/P of a synchronous step's, is a step: with the rate cut so,
        // P contributions move the weights about as far as one synchronous step, for Adam as for SGD.
        var optimizer = JsonSerializer.Serialize(
            stepping == ParameterServerStepping.EachContribution ? spec.Optimizer.WithLearningRateDividedBy(spec.Partitions) : spec.Optimizer, ModelSpec.JsonOptions);
        var messages = new List<ParameterServerCommands.InitializeShard>();
        for (var s = 0; s < spec.PsShards; s++)
            for (var slot = 0; slot < state.Length; slot++)
            {
                var slice = state[slot].AsSpan(offsets[s], offsets[s + 1] - offsets[s]);
                for (var c = 0; c < Chunking.Count(slice.Length); c++)
                    messages.Add(new ParameterServerCommands.InitializeShard(jobId, s, slice.Length, spec.Partitions, optimizer, trainerPath, version,
                        optimizerSteps, slot, state.Length, stepping, c, Chunking.Slice(slice, c)));
            }
        return messages;
    }
}
