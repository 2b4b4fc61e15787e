using Akka.Actor;
using Akka.Event;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// The asynchronous modes. Each partition goes through its own steps at its own pace (its step j is its minibatch j,
/// at whatever weights the shards hold when it asks), the shards apply each contribution as it arrives, and with
/// consistency: bounded no partition starts a step more than <c>staleness</c> ahead of the slowest. The job's cursor
/// is the slowest partition's step: epoch ends, checkpoints and the end are taken there, once the trainer has stopped
/// asking and the shards have applied every contribution sent, so the state it reads is one version on every shard.
/// </summary>
public sealed partial class Trainer
{
    // Steps each partition has sent, contributions each shard has applied, and when each busy partition was asked.
    private long[] _done = [];
    private long[] _appliedBy = [];
    private readonly Dictionary<int, DateTime> _askedAt = [];

    // At an epoch end, a checkpoint or the end: nobody is asked until the shards have caught up and the state is read.
    private bool _holding;
    private double _windowLoss;
    private long _windowSamples;
    private int _windowContributions;

    private sealed record AsynchronousCheck;

    private void AsynchronousTraining()
    {
        Receive<PartitionEvents.GradientSent>(m =>
        {
            Answered(m.Partition, m.GlobalStep, m.Node);
            if (m.GlobalStep != _done[m.Partition])
            {
                // A repeat of a step already counted (it was asked again); its partition may be free now.
                Advance();
                return;
            }
            _epochMetrics.Add(m.Partition, m.GlobalStep, m.Metrics);
            _done[m.Partition]++;
            _nodeSamples[m.Node] = _nodeSamples.GetValueOrDefault(m.Node) + m.Samples;
            Advance();
        });
        Receive<PartitionEvents.StepSkipped>(m =>
        {
            Answered(m.Partition, m.GlobalStep, m.Node);
            Advance();
        });
        Receive<ShardReplies.ShardStepped>(m =>
        {
            if ((uint)m.Shard >= (uint)_appliedBy.Length) return;
            _appliedBy[m.Shard]++;
            if (m.Shard == 0) Contributed(m.LossSum, m.Samples);
            Release();
        });
        Receive<AsynchronousCheck>(_ => Check());
        Common();
    }

    private void StartAsynchronous()
    {
        _appliedBy = Enumerable.Repeat(_done.Sum(), Spec.PsShards).ToArray();
        Timers.StartPeriodicTimer("async-check", new AsynchronousCheck(), _stepTimeout);
        _status = _status with { Waiting = null };
        Publish();
        AskReady();
    }

    private void Answered(int partition, long step, string node)
    {
        _nodes[partition] = node;
        if (_busy.GetValueOrDefault(partition, -1) != step) return;
        _busy.Remove(partition);
        _askedAt.Remove(partition);
    }

    /// <summary>Moves the cursor to the slowest partition's step, holding at the first boundary it reaches.</summary>
    private void Advance()
    {
        while (!_holding && _done.Min() > _globalStep)
        {
            _globalStep++;
            if (_globalStep == TotalSteps || StepInEpoch == 0 || _globalStep % Spec.CheckpointEvery == 0) _holding = true;
        }
        if (_holding) Release();
        else AskReady();
    }

    private void AskReady()
    {
        if (_holding) return;
        var slowest = _done.Min();
        for (var k = 0; k < Spec.Partitions; k++)
        {
            var step = _done[k];
            if (_busy.ContainsKey(k) || step >= TotalSteps) continue;
            if (Spec.Consistency == Consistency.Bounded && step > slowest + Spec.Staleness) continue;
            Ask(k, step);
        }
    }

    private void Ask(int partition, long step)
    {
        _busy[partition] = step;
        _askedAt[partition] = DateTime.UtcNow;
        _partitions.Tell(new PartitionCommands.ComputeGradient(_setup, partition, (int)(step / _plan.StepsPerEpoch), (int)(step % _plan.StepsPerEpoch), step));
    }

    /// <summary>While holding: once every contribution sent is applied on every shard, reads the state and goes on.</summary>
    private void Release()
    {
        var sent = _done.Sum();
        if (!_holding || _state is not null || _busy.Count > 0 || _appliedBy.Any(a => a < sent)) return;
        var end = _globalStep == TotalSteps;
        var epochEnded = StepInEpoch == 0;
        var checkpoint = _globalStep % Spec.CheckpointEvery == 0;
        FetchState(sent, () =>
        {
            if (end)
            {
                Complete();
                return;
            }
            if (epochEnded) EndEpoch();
            if (checkpoint) WriteCheckpoint();
            _holding = false;
            Advance();
        });
    }

    /// <summary>Shard 0's report of one applied contribution: every P of them make one step's worth of loss and progress.</summary>
    private void Contributed(double lossSum, long samples)
    {
        _windowLoss += lossSum;
        _windowSamples += samples;
        _samplesDone += samples;
        if (++_windowContributions < Spec.Partitions) return;
        _stepLoss = _windowSamples == 0 ? 0 : _windowLoss / _windowSamples;
        _windowLoss = 0;
        _windowSamples = 0;
        _windowContributions = 0;
        if (!double.IsFinite(_stepLoss))
        {
            Finish(JobState.Failed, null, $"loss became {_stepLoss} at epoch {Epoch + 1}, step {StepInEpoch + 1}; the last good checkpoint is kept");
            return;
        }
        _epochLossSum += _stepLoss;
        _epochSteps++;
        var progress = _done.Sum() / Spec.Partitions;
        Progressed((int)Math.Min(Spec.Epochs, progress / _plan.StepsPerEpoch + 1), progress);
        if (progress % Math.Max(1, TotalSteps / 200) == 0)
            _status = _status with { Curve = [.. _status.Curve, new CurvePoint(progress, (double)progress / _plan.StepsPerEpoch, _stepLoss, null)] };
        Publish();
    }

    /// <summary>Asks again whoever has not answered within the step timeout, or, while holding, whoever sent last.</summary>
    private void Check()
    {
        var now = DateTime.UtcNow;
        var late = _askedAt.Where(a => now - a.Value > _stepTimeout).Select(a => a.Key).Order().ToArray();
        string waiting;
        if (late.Length > 0)
        {
            waiting = $"waiting for partitions {string.Join(", ", late.Select(k => _nodes.TryGetValue(k, out var node) ? $"{k} (last on {node})" : k.ToString()))} (asked again)";
            foreach (var k in late) Ask(k, _busy[k]);
        }
        else if (_holding && _busy.Count == 0 && _state is null && _appliedBy.Any(a => a < _done.Sum()))
        {
            // A slice lost with a node that left: the shards keep what they applied, so asking again counts nothing twice.
            waiting = $"step {_globalStep}: waiting for parameter-server shards {string.Join(", ", Enumerable.Range(0, Spec.PsShards).Where(s => _appliedBy[s] < _done.Sum()))} (last steps asked again)";
            for (var k = 0; k < Spec.Partitions; k++)
                if (_done[k] > 0) Ask(k, _done[k] - 1);
        }
        else return;
        _log.Warning("job {0}: {1}", _id, waiting);
        _status = _status with { Waiting = waiting };
        Publish();
    }
}
