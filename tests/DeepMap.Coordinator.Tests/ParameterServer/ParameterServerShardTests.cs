using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepMap.Coordinator.ParameterServer;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Coordinator.Tests.ParameterServer;

/// <summary>
/// One parameter-server shard as an actor, with this test as its trainer: what it applies is read back through
/// <see cref="ParameterServerReplies.ShardStepped"/> and its state (<see cref="ParameterServerCommands.GetState"/>), against the same step
/// computed here with <see cref="GradientSum"/> and the optimizer.
/// </summary>
public sealed class ParameterServerShardTests : TestKit
{
    private const string Job = "job-1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // The shard answers on its node's tensor data channel and names it when ready.
    private readonly TensorChannel _channel;

    public ParameterServerShardTests(ITestOutputHelper output)
        : base("akka.loglevel = WARNING", output)
    {
        _channel = TensorChannel.Start(Sys, new NodeSettings([], "127.0.0.1", 0, "cpu", 1));
    }

    private static string Json(OptimizerSpec optimizer) => JsonSerializer.Serialize(optimizer, ModelSpec.JsonOptions);

    private static float[] Random(int length, int seed)
    {
        // Magnitudes from 1e-3 to 1e3, so the order of a sum shows in its bits.
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)))).ToArray();
    }

    private ParameterServerCommands.InitializeShard Initial(float[] weights, int partitions, OptimizerSpec optimizer, int chunk, ParameterServerStepping stepping = ParameterServerStepping.AllPartitions) =>
        new(Job, 0, weights.Length, partitions, Json(optimizer), TestActor.Path.ToString(), Version: 0, OptimizerSteps: 0, Slot: 0, Slots: 1,
            stepping, chunk, Chunking.Slice(weights, chunk));

    private IActorRef Shard() => Sys.ActorOf(Props.Create(() => new ParameterServerShard(new CpuBackend(1))));

    private IActorRef StartedShard(float[] weights, int partitions, OptimizerSpec optimizer, ParameterServerStepping stepping = ParameterServerStepping.AllPartitions)
    {
        var shard = Shard();
        for (var c = 0; c < Chunking.Count(weights.Length); c++) shard.Tell(Initial(weights, partitions, optimizer, c, stepping), TestActor);
        ExpectMsg<ParameterServerReplies.ShardReady>(Patience);
        return shard;
    }

    private static IEnumerable<ParameterServerCommands.GradientSlice> Slices(long step, int partition, int samples, double loss, float[] gradient) =>
        Enumerable.Range(0, Chunking.Count(gradient.Length)).Select(c => new ParameterServerCommands.GradientSlice(Job, 0, step, partition, samples, loss, c, Chunking.Slice(gradient, c)));

    /// <summary>The shard's weights and optimizer slots at a version; the first reply must be its state, nothing else.</summary>
    private float[][] State(IActorRef shard, long version, int length)
    {
        shard.Tell(new ParameterServerCommands.GetState(Job, 0, version), TestActor);
        var first = ExpectMsg<ParameterServerReplies.StateChunk>(Patience);
        var slots = Enumerable.Range(0, first.Slots).Select(_ => new ChunkAssembler(length)).ToArray();
        slots[first.Slot].Add(first.Chunk, first.Values);
        while (slots.Any(s => !s.IsComplete))
        {
            var chunk = ExpectMsg<ParameterServerReplies.StateChunk>(Patience);
            Assert.Equal(version, chunk.Version);
            slots[chunk.Slot].Add(chunk.Chunk, chunk.Values);
        }
        return [.. slots.Select(s => s.ToArray())];
    }

    /// <summary>One step done here: the contributions summed with GradientSum in the order given, then the optimizer.</summary>
    private static float[][] Reference(float[] weights, OptimizerSpec spec, IEnumerable<(float[] Gradient, int Samples)> contributions, int steps = 1)
    {
        var backend = new CpuBackend(1);
        using var w = Tensor.FromArray(backend, weights, weights.Length);
        w.RequiresGrad = true;
        Parameter[] parameters = [new("shard.0", w)];
        var optimizer = spec.Create();
        using var sum = Tensor.Empty(backend, weights.Length);
        using var part = Tensor.Empty(backend, weights.Length);
        var all = contributions.ToArray();
        var total = all.Sum(c => c.Samples);
        for (var s = 0; s < steps; s++)
        {
            backend.Fill(sum.Storage, 0);
            foreach (var (gradient, samples) in all)
            {
                backend.Upload(gradient, part.Storage);
                GradientSum.Accumulate(backend, part.Storage, sum.Storage, sum.Size, samples, total);
            }
            ParameterVector.WriteGradients(parameters, sum);
            optimizer.Step(parameters);
        }
        float[][] state = [w.ToArray(), .. optimizer.State(parameters).Select(slot => slot.Value.ToArray())];
        w.ZeroGrad();
        return state;
    }

    private static void BitsEqual(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var slot = 0; slot < expected.Length; slot++)
        {
            var at = Enumerable.Range(0, expected[slot].Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(expected[slot][i]) != BitConverter.SingleToInt32Bits(actual[slot][i]), -1);
            Assert.True(at < 0, $"{what}: slot {slot} differs first at [{at}]: expected {expected[slot][Math.Max(at, 0)]}, got {actual[slot][Math.Max(at, 0)]}");
        }
    }

    [Theory]
    [InlineData(new[] { 3, 1, 0, 2 })]
    [InlineData(new[] { 2, 3, 1, 0 })]
    [InlineData(new[] { 1, 0, 3, 2 })]
    public void A_sync_step_sums_the_contributions_in_partition_order_whatever_order_they_arrive_in(int[] arrival)
    {
        // Two chunks a contribution; every partition's second chunk arrives before any first one.
        var length = Chunking.ChunkFloats + 1000;
        var weights = Random(length, seed: 1);
        var gradients = Enumerable.Range(0, 4).Select(k => Random(length, seed: 10 + k)).ToArray();
        int[] samples = [3, 5, 8, 16];
        double[] losses = [0.5, 0.25, 2.0, 1.0 / 3];
        var adam = new AdamSpec(0.01);
        var shard = StartedShard(weights, partitions: 4, adam);

        foreach (var chunk in new[] { 1, 0 })
            foreach (var k in arrival)
                shard.Tell(Slices(0, k, samples[k], losses[k], gradients[k]).ElementAt(chunk), TestActor);

        var lossSum = Enumerable.Range(0, 4).Aggregate(0.0, (sum, k) => sum + samples[k] * losses[k]);
        ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, 0, lossSum, samples.Sum()), Patience);
        var expected = Reference(weights, adam, Enumerable.Range(0, 4).Select(k => (gradients[k], samples[k])));
        var byArrival = Reference(weights, adam, arrival.Select(k => (gradients[k], samples[k])));
        Assert.False(expected.Zip(byArrival).All(p => p.First.SequenceEqual(p.Second)), "the data cannot tell the summation orders apart");
        BitsEqual(expected, State(shard, 1, length), $"arrival {string.Join(", ", arrival)}");
    }

    [Fact]
    public void A_duplicate_slice_keeps_the_first_copy_and_a_late_one_for_an_applied_step_changes_nothing()
    {
        var weights = Random(100, seed: 2);
        var gradients = Enumerable.Range(0, 3).Select(k => Random(100, seed: 20 + k)).ToArray();
        var sgd = new SgdSpec(0.1);
        var shard = StartedShard(weights, partitions: 3, sgd);
        var contributions = Enumerable.Range(0, 3).Select(k => (gradients[k], 10)).ToArray();

        for (var step = 0; step < 2; step++)
        {
            shard.Tell(Slices(step, 0, 10, 1.0, gradients[0]).Single(), TestActor);
            shard.Tell(Slices(step, 1, 10, 2.0, gradients[1]).Single(), TestActor);
            shard.Tell(Slices(step, 1, 12, 9.0, Random(100, seed: 99)).Single(), TestActor); // asked again: another copy
            shard.Tell(Slices(step, 2, 10, 3.0, gradients[2]).Single(), TestActor);
            ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, step, 60.0, 30), Patience);
            shard.Tell(Slices(step, 1, 12, 9.0, Random(100, seed: 98)).Single(), TestActor); // a retry after the step was applied
        }

        // No step besides the two: the next message the shard sends is its state, that of two steps.
        BitsEqual(Reference(weights, sgd, contributions, steps: 2), State(shard, 2, 100), "after two steps");
    }

    /// <summary>
    /// The trainer asks for the next step before this one is applied, so a weight request for the next version comes
    /// early: the shard answers it (once, however often it was asked) the moment it applies, with that version's
    /// weights; a request further ahead is unavailable at once.
    /// </summary>
    [Fact]
    public void A_request_for_the_next_version_is_answered_when_the_step_is_applied()
    {
        var weights = Random(100, seed: 4);
        var gradients = Enumerable.Range(0, 2).Select(k => Random(100, seed: 40 + k)).ToArray();
        var sgd = new SgdSpec(0.1);
        var shard = StartedShard(weights, partitions: 2, sgd);
        var cache = CreateTestProbe();
        _channel.Deliver(TensorRecipient.WeightCache, cache);

        shard.Tell(new ParameterServerCommands.GetWeights(Job, 0, 1, _channel.Endpoint, WireEncoding.Float32));
        shard.Tell(new ParameterServerCommands.GetWeights(Job, 0, 1, _channel.Endpoint, WireEncoding.Float32)); // asked again
        shard.Tell(new ParameterServerCommands.GetWeights(Job, 0, 2, _channel.Endpoint, WireEncoding.Float32));
        Assert.Equal(new ParameterServerReplies.WeightsUnavailable(Job, 0, 2, 0), cache.ExpectMsg<ParameterServerReplies.WeightsUnavailable>(Patience));
        shard.Tell(Slices(0, 0, 10, 1.0, gradients[0]).Single(), TestActor);
        cache.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        shard.Tell(Slices(0, 1, 10, 1.0, gradients[1]).Single(), TestActor);
        ExpectMsg<ParameterServerReplies.ShardStepped>(Patience);
        var sent = cache.ExpectMsg<ParameterServerReplies.WeightsChunk>(Patience);
        Assert.Equal(1, sent.Version);
        BitsEqual([Reference(weights, sgd, gradients.Select(g => (g, 10)))[0]], [sent.Values], "the weights sent for version 1");
        cache.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>
    /// Backup partitions: a partition left out of a step sends its part late (before or after the close); the next
    /// step, told to carry it, sums it after its own members, weighted by its samples like theirs.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_late_part_of_the_last_step_is_carried_into_the_next_when_the_trainer_says_so(bool lateBeforeTheClose)
    {
        var weights = Random(300, seed: 5);
        var g = Enumerable.Range(0, 5).Select(i => Random(300, seed: 50 + i)).ToArray();
        var sgd = new SgdSpec(0.1);
        var shard = StartedShard(weights, partitions: 2, sgd, ParameterServerStepping.NamedByTrainer);

        shard.Tell(Slices(0, 0, 10, 1.0, g[0]).Single(), TestActor);
        if (lateBeforeTheClose) shard.Tell(Slices(0, 1, 20, 2.0, g[1]).Single(), TestActor);
        shard.Tell(new ParameterServerCommands.CloseStep(Job, 0, 0, [0], []), TestActor);
        ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, 0, 10.0, 10), Patience);
        if (!lateBeforeTheClose) shard.Tell(Slices(0, 1, 20, 2.0, g[1]).Single(), TestActor);
        shard.Tell(Slices(1, 1, 30, 3.0, g[2]).Single(), TestActor);
        shard.Tell(Slices(1, 0, 40, 4.0, g[3]).Single(), TestActor);
        shard.Tell(new ParameterServerCommands.CloseStep(Job, 0, 1, [0, 1], [new ParameterServerCommands.LatePart(1, 0)]), TestActor);

        ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, 1, 40 * 4.0 + 30 * 3.0 + 20 * 2.0, 90), Patience);
        var first = Reference(weights, sgd, [(g[0], 10)]);
        BitsEqual(Reference(first[0], sgd, [(g[3], 40), (g[2], 30), (g[1], 20)]), State(shard, 2, 300), "step 1 with partition 1's late part of step 0");
    }

    [Fact]
    public void A_part_two_steps_late_is_carried_and_one_older_than_the_shard_keeps_is_refused()
    {
        var weights = Random(200, seed: 6);
        var g = Enumerable.Range(0, 6).Select(i => Random(200, seed: 60 + i)).ToArray();
        var sgd = new SgdSpec(0.1);
        var shard = StartedShard(weights, partitions: 2, sgd, ParameterServerStepping.NamedByTrainer);
        for (var step = 0; step < 2; step++)
        {
            shard.Tell(Slices(step, 0, 10, 1.0, g[step]).Single(), TestActor);
            shard.Tell(new ParameterServerCommands.CloseStep(Job, 0, step, [0], []), TestActor);
            ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, step, 10.0, 10), Patience);
        }
        shard.Tell(Slices(0, 1, 20, 2.0, g[2]).Single(), TestActor);
        shard.Tell(Slices(2, 0, 10, 1.0, g[3]).Single(), TestActor);
        shard.Tell(Slices(2, 1, 10, 1.0, g[4]).Single(), TestActor);
        // Step 5 was never closed, so nothing of it can be carried: the close is refused and the next one taken.
        shard.Tell(new ParameterServerCommands.CloseStep(Job, 0, 2, [0, 1], [new ParameterServerCommands.LatePart(1, 5)]), TestActor);
        shard.Tell(new ParameterServerCommands.CloseStep(Job, 0, 2, [0, 1], [new ParameterServerCommands.LatePart(1, 0)]), TestActor);

        ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, 2, 10.0 + 10.0 + 40.0, 40), Patience);
        var state = Reference(Reference(weights, sgd, [(g[0], 10)])[0], sgd, [(g[1], 10)]);
        BitsEqual(Reference(state[0], sgd, [(g[3], 10), (g[4], 10), (g[2], 20)]), State(shard, 3, 200), "step 2 with partition 1's part of step 0");
    }

    [Fact]
    public void A_malformed_gradient_slice_is_dropped_and_the_step_goes_on_with_the_good_ones()
    {
        var weights = Random(Chunking.ChunkFloats + 10, seed: 4);
        var gradients = Enumerable.Range(0, 2).Select(k => Random(weights.Length, seed: 40 + k)).ToArray();
        var sgd = new SgdSpec(0.1);
        var shard = StartedShard(weights, partitions: 2, sgd);
        var good = Slices(0, 0, 10, 1.0, gradients[0]).ToArray();

        shard.Tell(good[1] with { Partition = 2 }, TestActor);
        shard.Tell(good[1] with { Partition = -1 }, TestActor);
        shard.Tell(good[1] with { Chunk = 2 }, TestActor);
        shard.Tell(good[1] with { Values = new float[11] }, TestActor);
        shard.Tell(good[0] with { Values = good[1].Values }, TestActor);
        foreach (var slice in good.Concat(Slices(0, 1, 10, 2.0, gradients[1]))) shard.Tell(slice, TestActor);

        // Had one of them thrown, the restarted shard would have lost its weights and answer nothing.
        ExpectMsg(new ParameterServerReplies.ShardStepped(Job, 0, 0, 30.0, 20), Patience);
        BitsEqual(Reference(weights, sgd, gradients.Select(g => (g, 10))), State(shard, 1, weights.Length), "after the step");
    }

    [Fact]
    public void A_malformed_initial_state_chunk_is_dropped_and_the_shard_lives_on_with_what_it_had()
    {
        var weights = Random(Chunking.ChunkFloats + 5, seed: 3);
        var sgd = new SgdSpec(0.1);
        var shard = Shard();
        Watch(shard);
        shard.Tell(Initial(weights, 2, sgd, chunk: 0), TestActor);

        var last = Initial(weights, 2, sgd, chunk: 1);
        ParameterServerCommands.InitializeShard[] malformed =
        [
            last with { Slot = 1 },
            last with { Slots = 2 },
            last with { Slots = 0, Slot = 0 },
            last with { Chunk = 2 },
            last with { Chunk = -1 },
            last with { Values = new float[4] },
            last with { Length = -1 },
            last with { Length = weights.Length + 1 },
            last with { Partitions = 0 },
            last with { OptimizerSpecJson = "not json" },
            last with { OptimizerSpecJson = "null" },
            last with { OptimizerSpecJson = "{\"lr\": 0.1}" },
            last with { OptimizerSpecJson = Json(new SgdSpec(-1)) },
        ];
        foreach (var m in malformed) shard.Tell(m, TestActor);
        shard.Tell(last, TestActor);

        // Had one of them thrown, the restarted shard would have lost chunk 0 and never be ready.
        ExpectMsg(new ParameterServerReplies.ShardReady(Job, 0, _channel.Endpoint), Patience);
        BitsEqual([weights], State(shard, 0, weights.Length), "the initial weights");
    }
}
