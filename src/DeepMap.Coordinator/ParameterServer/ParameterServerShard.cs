using Akka.Actor;
using Akka.Event;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.ParameterServer;

/// <summary>
/// A parameter-server shard: the sharded entity "{job}/{shard}" that owns one slice of a job's flat parameters.
/// When every partition's slice of step t has arrived — or, for a job with backup partitions, those of the partitions
/// the trainer's <see cref="ParameterServerCommands.CloseStep"/> names — it sums them in partition order, applies the optimizer,
/// and holds version t + 1 for the partitions to pull (a request for t + 1 that comes before waits for it). In the asynchronous modes each partition's slice is a step of
/// its own, applied as it arrives (once per partition and step, however often it is sent).
/// </summary>
public sealed class ParameterServerShard : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IBackend _backend;
    private readonly TensorChannel _channel = TensorChannel.Of(Context.System);
    private ChunkAssembler[]? _initial;
    private Tensor? _weights;

    // The step's sum and one contribution, reused every step.
    private Tensor? _sum;
    private Tensor? _part;
    private Optimizer? _optimizer;
    private Parameter[] _parameters = [];
    private int _partitions;
    private ContributionSet _parts = null!;
    private ShardStepRule _rule = null!;
    private ActorSelection? _trainer;
    private long _version;

    // Requests for the version this shard's next step makes, answered the moment it is applied: the trainer asks the
    // partitions for step t + 1 while step t is still being summed here.
    private readonly List<ParameterServerCommands.GetWeights> _awaitingNext = [];

    public ParameterServerShard(IBackend backend)
    {
        _backend = backend;
        Receive<ParameterServerCommands.InitializeShard>(Initialize);
        Receive<ParameterServerCommands.GradientSlice>(Accumulate);
        Receive<ParameterServerCommands.CloseStep>(Close);
        Receive<ParameterServerCommands.GetWeights>(SendWeights);
        Receive<ParameterServerCommands.GetState>(SendState);
        Receive<ParameterServerCommands.StopShard>(_ => Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance)));
    }

    private void Initialize(ParameterServerCommands.InitializeShard m)
    {
        if (_weights is not null) return; // a resent chunk after the shard was built
        if (Misfit(m) is { } misfit)
        {
            _log.Warning("initial state of {0}/{1}: {2}; dropped", m.JobId, m.Shard, misfit);
            return;
        }
        _initial ??= Enumerable.Range(0, m.Slots).Select(_ => new ChunkAssembler(m.Length)).ToArray();
        _initial[m.Slot].Add(m.Chunk, m.Values);
        if (_initial.Any(slot => !slot.IsComplete)) return;
        var optimizer = System.Text.Json.JsonSerializer.Deserialize<OptimizerSpec>(m.OptimizerSpecJson, ModelSpec.JsonOptions)!.Create();
        if (m.Slots != 1 && m.Slots != 1 + optimizer.Slots.Count)
        {
            _log.Warning("initial state of {0}/{1} has {2} slots; the optimizer keeps {3}; dropped", m.JobId, m.Shard, m.Slots, optimizer.Slots.Count);
            _initial = null;
            return;
        }
        _weights = Tensor.Empty(_backend, m.Length).Keep();
        Upload(_initial[0], _weights.Storage);
        _sum = Tensor.Empty(_backend, m.Length).Keep();
        _part = Tensor.Empty(_backend, m.Length).Keep();
        _weights.RequiresGrad = true;
        _parameters = [new Parameter($"shard.{m.Shard}", _weights)];
        var slots = optimizer.State(_parameters).ToArray();
        for (var j = 1; j < m.Slots; j++) Upload(_initial[j], slots[j - 1].Value.Storage);
        optimizer.Steps = m.OptimizerSteps;
        _optimizer = optimizer;
        _partitions = m.Partitions;
        _parts = new ContributionSet(m.Length);
        _rule = ShardStepRule.For(m.Stepping, m.Partitions, _parts);
        _trainer = Context.ActorSelection(m.TrainerPath);
        foreach (var slot in _initial) slot.Recycle();
        _initial = null;
        _version = m.Version;
        _trainer.Tell(new ParameterServerReplies.ShardReady(m.JobId, m.Shard, _channel.Endpoint));
    }

    /// <summary>What makes a chunk of initial state unusable, or null: a peer's malformed message is dropped, never thrown on.</summary>
    private string? Misfit(ParameterServerCommands.InitializeShard m)
    {
        if (m.Slots < 1 || (uint)m.Slot >= (uint)m.Slots || (_initial is not null && _initial.Length != m.Slots))
            return $"slot {m.Slot} of {m.Slots} does not fit";
        if (m.Length < 0 || (_initial is not null && _initial[0].Length != m.Length))
            return $"a length of {m.Length} does not fit";
        if (m.Partitions < 1) return $"{m.Partitions} partitions";
        if (ChunkAssembler.Misfit(m.Length, m.Chunk, m.Values.Length) is { } misfit) return misfit;
        try
        {
            var optimizer = System.Text.Json.JsonSerializer.Deserialize<OptimizerSpec>(m.OptimizerSpecJson, ModelSpec.JsonOptions);
            optimizer?.Create();
            return optimizer is null ? "no optimizer" : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            return $"optimizer '{m.OptimizerSpecJson}': {e.Message}";
        }
    }

    private void Accumulate(ParameterServerCommands.GradientSlice m)
    {
        if (_weights is null)
        {
            _log.Warning("gradient for step {0} of {1}/{2} before the shard was initialized; dropped", m.Step, m.JobId, m.Shard);
            return;
        }
        if ((uint)m.Partition >= (uint)_partitions || (m.Samples != 0 && ChunkAssembler.Misfit(_weights.Size, m.Chunk, m.Values.Length) is not null))
        {
            // A peer's malformed slice is dropped, never thrown on: a restarted shard would lose the job's weights.
            _log.Warning("gradient slice of {0}/{1}: partition {2}, chunk {3} with {4} values does not fit; dropped", m.JobId, m.Shard, m.Partition, m.Chunk, m.Values.Length);
            return;
        }
        if (!_rule.Keeps(m.Partition, m.Step, _version)) return;
        _parts.Add(m);
        TryApply(m.JobId, m.Shard, m.Partition, m.Step);
    }

    private void Close(ParameterServerCommands.CloseStep m)
    {
        if (_weights is null) return;
        if (_rule.Close(m, _version) is { } misfit)
        {
            _log.Warning("{0} of {1}/{2}; dropped", misfit, m.JobId, m.Shard);
            return;
        }
        TryApply(m.JobId, m.Shard, -1, -1);
    }

    private void TryApply(string jobId, int shard, int partition, long step)
    {
        if (_rule.TakeStep(_version, partition, step) is { } included) Apply(jobId, shard, included, included.Sum(c => c.Samples));
    }

    /// <summary>Sums the contributions in the order given, each weighted by its samples over <paramref name="total"/>, and steps.</summary>
    private void Apply(string jobId, int shard, Contribution[] included, int total)
    {
        _backend.Fill(_sum!.Storage, 0);
        double lossSum = 0;
        foreach (var c in included)
        {
            if (c.Gradient is null) continue;
            Upload(c.Gradient, _part!.Storage);
            c.Gradient.Recycle();
            GradientSum.Accumulate(_backend, _part.Storage, _sum.Storage, _sum.Size, c.Samples, total);
            lossSum += c.Samples * c.Loss;
        }
        var samples = included.Sum(c => c.Samples);
        if (samples > 0 || _rule.StepsWithoutSamples)
        {
            ParameterVector.WriteGradients(_parameters, _sum);
            _optimizer!.Step(_parameters);
        }
        var step = _version;
        _version++;
        _trainer!.Tell(new ParameterServerReplies.ShardStepped(jobId, shard, step, lossSum, samples));
        foreach (var request in _awaitingNext) Send(request);
        _awaitingNext.Clear();
    }

    private void Upload(ChunkAssembler array, Storage destination)
    {
        foreach (var (offset, values) in array.Pieces()) _backend.Upload(values, destination, offset);
    }

    private void SendWeights(ParameterServerCommands.GetWeights m)
    {
        if (_weights is not null && m.Version == _version + 1)
        {
            if (!_awaitingNext.Contains(m)) _awaitingNext.Add(m);
            return;
        }
        if (_weights is null || (m.Version != _version && m.Version != ParameterServerCommands.GetWeights.Latest))
        {
            _channel.Send(m.ReplyTo, TensorRecipient.WeightCache, new ParameterServerReplies.WeightsUnavailable(m.JobId, m.Shard, m.Version, _weights is null ? -1 : _version));
            return;
        }
        Send(m);
    }

    /// <summary>The current weights in chunks to the asker; each chunk's array is the channel's once sent (it returns them to the pool).</summary>
    private void Send(ParameterServerCommands.GetWeights m)
    {
        for (var c = 0; c < Chunking.Count(_weights!.Size); c++)
        {
            var (offset, count) = Chunking.Range(_weights.Size, c);
            var chunk = ChunkPool.Rent(count);
            _backend.Download(_weights.Storage, chunk, offset);
            _channel.Send(m.ReplyTo, TensorRecipient.WeightCache, new ParameterServerReplies.WeightsChunk(m.JobId, m.Shard, _version, c, chunk), m.Encoding);
        }
    }

    private void SendState(ParameterServerCommands.GetState m)
    {
        if (_weights is null || m.Version != _version)
        {
            Sender.Tell(new ParameterServerReplies.WeightsUnavailable(m.JobId, m.Shard, m.Version, _weights is null ? -1 : _version));
            return;
        }
        float[][] slots = [_weights.ToArray(), .. _optimizer!.State(_parameters).Select(s => s.Value.ToArray())];
        for (var slot = 0; slot < slots.Length; slot++)
            for (var c = 0; c < Chunking.Count(slots[slot].Length); c++)
                Sender.Tell(new ParameterServerReplies.StateChunk(m.JobId, m.Shard, _version, _optimizer.Steps, slot, slots.Length, c, Chunking.Slice(slots[slot], c)));
    }

    protected override void PostStop()
    {
        _weights?.ZeroGrad();
        _weights?.Dispose();
        _sum?.Dispose();
        _part?.Dispose();
    }
}
