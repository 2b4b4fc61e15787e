using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.IO;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// Drives one job: loads its data, seeds the parameter-server shards with the initial weights — or with the weights,
/// optimizer state and data cursor of the job's checkpoint when a restarted coordinator resumes it — then runs
/// synchronous steps (every partition computes its gradient at version t, every shard applies step t), validating at
/// epoch ends, checkpointing every few steps and after the last one, and at the end evaluates on the test set and
/// writes the model.
/// </summary>
public sealed partial class Trainer : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _id;
    private readonly ValidatedJob _job;
    private readonly string _directory;
    private readonly TimeSpan _stepTimeout;
    private readonly IActorRef _partitions;
    private readonly IActorRef _shards;
    private readonly IBackend _backend;
    private JobData _data = null!;
    private Sequential _model = null!;
    private DataParallelPlan _plan = null!;
    private PartitionSetup _setup = null!;
    private int[] _offsets = [];
    private readonly HashSet<int> _ready = [];
    private long _globalStep;
    private readonly HashSet<int> _sent = [];
    private readonly Dictionary<int, string> _nodes = [];
    private readonly Dictionary<string, long> _nodeSamples = [];
    private readonly HashSet<int> _stepped = [];

    // With backup partitions: the step each partition is still computing, whether the step is closed, and by node
    // the partition-steps left out.
    private readonly Dictionary<int, long> _busy = [];
    private bool _closed;

    // The step whose requests went out before it started (AskAhead), or −1.
    private long _askedAhead = -1;

    // Backup partitions: who the last few steps left out, and the late parts of those steps the next close carries.
    private readonly Dictionary<long, HashSet<int>> _leftOutOf = [];
    private readonly List<ShardCommands.LatePart> _carried = [];
    private bool _closedCarrying;
    private readonly Dictionary<string, long> _leftOut = [];
    private double _stepLoss;
    private double _epochLossSum;
    private int _epochSteps;
    private readonly EpochMetrics _epochMetrics = new();
    private StateAssembly? _state;
    private Action? _onState;
    private readonly Stopwatch _clock = new();
    private long _stepsAtClockStart;
    private long _samplesDone;
    private JobStatus _status;

    private sealed record StepTimeout(long GlobalStep);

    private sealed record RetryState(long Version);

    private const string StepKey = "deepmap.global_step";
    private const string EpochLossKey = "deepmap.epoch_loss_sum";
    private const string EpochStepsKey = "deepmap.epoch_steps";
    private const string EpochMetricsKey = "deepmap.epoch_metrics";
    private const string PartitionStepsKey = "deepmap.partition_steps";

    /// <param name="status">The job's status so far: fresh for a new job, the stored one for a job being resumed.</param>
    public Trainer(string id, ValidatedJob job, string stateDirectory, TimeSpan stepTimeout, IActorRef partitions, IActorRef shards, IBackend backend, JobStatus status)
    {
        _id = id;
        _job = job;
        _directory = Path.Combine(stateDirectory, "jobs", id);
        _stepTimeout = stepTimeout;
        _partitions = partitions;
        _shards = shards;
        _backend = backend;
        _status = status with { State = JobState.Running, Error = null, Finished = null };
        Initializing();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private JobSpec Spec => _job.Spec;

    private int Epoch => (int)(_globalStep / _plan.StepsPerEpoch);

    private int StepInEpoch => (int)(_globalStep % _plan.StepsPerEpoch);

    private long TotalSteps => (long)_plan.StepsPerEpoch * Spec.Epochs;

    private string CheckpointPath => Path.Combine(_directory, "checkpoint.safetensors");

    private bool IsAsynchronous => Spec.Consistency != Consistency.Sync;

    /// <summary>The shards' version: steps applied (sync), or partition contributions applied (the asynchronous modes).</summary>
    private long ShardVersion => IsAsynchronous ? _done.Sum() : _globalStep;

    protected override void PreStart()
    {
        Directory.CreateDirectory(_directory);
        float[][] state;
        try
        {
            _data = JobData.Load(_job);
            _done = new long[Spec.Partitions];
            state = File.Exists(CheckpointPath) ? Resume() : Start();
            if (!File.Exists(CheckpointPath) && _status.Step > 0) Restart();
            _plan = new DataParallelPlan(_data.Train.Rows, Spec.Partitions, Spec.BatchSize, Spec.Seed);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException)
        {
            Fail($"loading the {(File.Exists(CheckpointPath) ? "checkpoint or " : "")}data: {e.Message}");
            return;
        }
        if (_globalStep == TotalSteps)
        {
            // The coordinator stopped between the final checkpoint and recording the job's end: no step is left.
            _log.Info("job {0}: its final checkpoint is at the last step; completing it without training", _id);
            Conclude();
            return;
        }
        _offsets = WeightsAssembly.ShardOffsets(state[0].Length, Spec.PsShards);
        var self = Akka.Serialization.Serialization.SerializedActorPath(Self);
        _setup = new PartitionSetup(_id, Spec.Model.ToJson(), Spec.Loss, [.. Spec.Metrics], Spec.Seed, Spec.Partitions, Spec.BatchSize, _data.Train.Rows,
            _data.Train.FeatureShape, _data.Train.TargetShape, _offsets, self, new string[Spec.PsShards],
            Spec.Compression == Compression.Fp16 ? WireEncoding.Float16 : WireEncoding.Float32, LatestWeights: IsAsynchronous);
        var stepping = IsAsynchronous ? ShardStepping.EachContribution : Spec.Backup > 0 ? ShardStepping.NamedByTrainer : ShardStepping.AllPartitions;
        var optimizer = JsonSerializer.Serialize(Spec.Optimizer, ModelSpec.JsonOptions);
        for (var s = 0; s < Spec.PsShards; s++)
            for (var slot = 0; slot < state.Length; slot++)
            {
                var slice = state[slot].AsSpan(_offsets[s], _offsets[s + 1] - _offsets[s]);
                for (var c = 0; c < Chunking.Count(slice.Length); c++)
                    _shards.Tell(new ShardCommands.InitializeShard(_id, s, slice.Length, Spec.Partitions, optimizer, self, ShardVersion,
                        _model.Optimizer!.Steps, slot, state.Length, stepping, c, Chunking.Slice(slice, c)));
            }
        var resuming = _globalStep > 0 ? $"resuming from the checkpoint at step {_globalStep}: " : "";
        _status = _status with { Steps = TotalSteps, Step = _globalStep, Waiting = resuming + "parameter-server shards to start" };
        Publish();
        _stepsAtClockStart = IsAsynchronous ? _done.Sum() / Spec.Partitions : _globalStep;
        _clock.Start();
    }

    /// <summary>The status after a step, in every mode: where the job is, its loss, its speed, who computed how much.</summary>
    private void Progressed(int epoch, long step)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        _status = _status with
        {
            Epoch = epoch,
            Step = step,
            Loss = _stepLoss,
            SamplesPerSecond = seconds > 0 ? _samplesDone / seconds : 0,
            SecondsPerStep = MeanStepSeconds(step),
            Waiting = null,
            NodeSamples = new Dictionary<string, long>(_nodeSamples),
            NodeLeftOut = new Dictionary<string, long>(_leftOut),
        };
    }

    /// <summary>Training time over the steps done in it: a resumed job counts from its checkpoint, not from step 0.</summary>
    private double MeanStepSeconds(long step) => step > _stepsAtClockStart ? _clock.Elapsed.TotalSeconds / (step - _stepsAtClockStart) : 0;

    /// <summary>A new job: the model initialized from the seed; the shards' optimizers start empty.</summary>
    private float[][] Start()
    {
        _model = Sequential.FromSpec(Spec.Model, Spec.Seed, _backend);
        _model.Compile(Spec.Optimizer.Create(), Spec.Loss, [.. Spec.Metrics]);
        var weights = new float[ParameterVector.Length(_model.Parameters)];
        ParameterVector.ReadValues(_model.Parameters, weights);
        return [weights];
    }

    /// <summary>A job whose coordinator stopped before its first checkpoint: it starts over, and says so.</summary>
    private void Restart()
    {
        _status = _status with { Curve = [], Resumed = [.. _status.Resumed, new ResumePoint(DateTimeOffset.UtcNow, 0, _status.Step)] };
        _log.Info("job {0}: no checkpoint yet; starting over (the {1} steps done are computed again)", _id, _status.Step);
    }

    /// <summary>
    /// A job whose coordinator stopped: its checkpoint gives the weights, every optimizer slot (flattened in parameter
    /// order, as the shards hold them) and the step to go on from; the curve drops what came after that step.
    /// </summary>
    private float[][] Resume()
    {
        var content = SafeTensors.Read(CheckpointPath);
        _model = Sequential.Load(content, CheckpointPath, _backend);
        if (_model.Optimizer is null || !content.Metadata.TryGetValue(StepKey, out var step))
            throw new InvalidDataException($"{CheckpointPath}: not a training checkpoint (no optimizer state or '{StepKey}')");
        _globalStep = long.Parse(step, CultureInfo.InvariantCulture);
        _epochLossSum = double.Parse(content.Metadata.GetValueOrDefault(EpochLossKey, "0"), CultureInfo.InvariantCulture);
        _epochSteps = int.Parse(content.Metadata.GetValueOrDefault(EpochStepsKey, "0"), CultureInfo.InvariantCulture);
        _epochMetrics.Resume(content.Metadata.GetValueOrDefault(EpochMetricsKey, ""), _globalStep);
        if (IsAsynchronous && content.Metadata.TryGetValue(PartitionStepsKey, out var done))
            _done = done.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        if (_done.Length != Spec.Partitions) throw new InvalidDataException($"{CheckpointPath}: '{PartitionStepsKey}' has {_done.Length} partitions; the job has {Spec.Partitions}");
        var weights = new float[ParameterVector.Length(_model.Parameters)];
        ParameterVector.ReadValues(_model.Parameters, weights);
        var slots = _model.Optimizer.State(_model.Parameters).ToDictionary(s => s.Name, s => s.Value);
        var state = new List<float[]> { weights };
        foreach (var slot in _model.Optimizer.Slots)
        {
            var values = new float[weights.Length];
            var offset = 0;
            foreach (var p in _model.Parameters)
            {
                _backend.Download(slots[Optimizer.SlotKey(slot, p.Name)].Storage, values.AsSpan(offset, p.Value.Size));
                offset += p.Value.Size;
            }
            state.Add(values);
        }
        _status = _status with
        {
            Curve = [.. _status.Curve.Where(p => p.Step <= _globalStep)],
            Resumed = [.. _status.Resumed, new ResumePoint(DateTimeOffset.UtcNow, _globalStep, Math.Max(0, _status.Step - _globalStep))],
        };
        _log.Info("job {0}: resuming from the checkpoint at step {1}; the {2} steps done since are computed again", _id, _globalStep, Math.Max(0, _status.Step - _globalStep));
        return [.. state];
    }

    private void Initializing()
    {
        Receive<ShardReplies.ShardReady>(m =>
        {
            if ((uint)m.Shard >= (uint)Spec.PsShards) return;
            _setup.ShardEndpoints[m.Shard] = m.DataEndpoint;
            _ready.Add(m.Shard);
            if (_ready.Count < Spec.PsShards) return;
            if (IsAsynchronous)
            {
                Become(AsynchronousTraining);
                StartAsynchronous();
                return;
            }
            Become(Training);
            StartStep();
        });
        Common();
    }

    private void Training()
    {
        Receive<PartitionEvents.GradientSent>(m =>
        {
            if (_busy.GetValueOrDefault(m.Partition, -1) == m.GlobalStep) _busy.Remove(m.Partition);
            _nodes[m.Partition] = m.Node;
            Measured(m);
            if (m.GlobalStep != _globalStep)
            {
                // A straggler done with a recent step that closed without it: its part joins the next close, a few steps
                // stale, so a partition that is always a little late still trains on its data; and it may join the open one.
                if (Spec.Backup > 0 && _leftOutOf.TryGetValue(m.GlobalStep, out var leftOut) && leftOut.Remove(m.Partition))
                {
                    _carried.Add(new ShardCommands.LatePart(m.Partition, m.GlobalStep));
                    _nodeSamples[m.Node] = _nodeSamples.GetValueOrDefault(m.Node) + m.Samples;
                }
                if (Spec.Backup > 0 && !_closed && !_busy.ContainsKey(m.Partition) && !_sent.Contains(m.Partition)) AskPartition(m.Partition);
                return;
            }
            if (!_sent.Add(m.Partition)) return;
            _nodeSamples[m.Node] = _nodeSamples.GetValueOrDefault(m.Node) + m.Samples;
            if (Spec.Backup > 0 && !_closed && _sent.Count == Spec.Partitions - Spec.Backup) CloseStep();
            if (Spec.Backup == 0 && _sent.Count == Spec.Partitions) AskAhead();
        });
        Receive<PartitionEvents.StepSkipped>(m =>
        {
            if (_busy.GetValueOrDefault(m.Partition, -1) == m.GlobalStep) _busy.Remove(m.Partition);
            _nodes[m.Partition] = m.Node;
            if (m.GlobalStep != _globalStep && !_closed && !_busy.ContainsKey(m.Partition) && !_sent.Contains(m.Partition)) AskPartition(m.Partition);
        });
        Receive<ShardReplies.ShardStepped>(m =>
        {
            if (m.GlobalStep != _globalStep || !_stepped.Add(m.Shard)) return;
            if (m.Shard == 0) _stepLoss = m.Samples == 0 ? 0 : m.LossSum / m.Samples;
            if (m.Shard == 0) _samplesDone += m.Samples;
            if (_stepped.Count == Spec.PsShards) StepDone();
        });
        Receive<StepTimeout>(m =>
        {
            if (m.GlobalStep != _globalStep) return;
            var missing = Enumerable.Range(0, Spec.Partitions).Where(k => !_sent.Contains(k)).ToArray();
            var waiting = missing.Length > 0
                ? $"step {_globalStep}: waiting for partitions {string.Join(", ", missing.Select(k => _nodes.TryGetValue(k, out var node) ? $"{k} (last on {node})" : k.ToString()))} (asked again)"
                : $"step {_globalStep}: waiting for parameter-server shards {string.Join(", ", Enumerable.Range(0, Spec.PsShards).Where(s => !_stepped.Contains(s)))} (every partition asked again)";
            _log.Warning("job {0}: {1}", _id, waiting);
            _status = _status with { Waiting = waiting };
            Publish();
            // Every partition reported sending, yet a shard lacks a slice: one was lost with a node that left. The
            // shards keep what they have, so asking everyone again costs a recomputation, never a double count. A
            // carried part of the step before cannot be computed again: the step closes again without it.
            if (_closed && _closedCarrying)
            {
                _closedCarrying = false;
                int[] members = [.. _sent.Order()];
                for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ShardCommands.CloseStep(_id, s, _globalStep, members, []));
            }
            foreach (var k in missing.Length > 0 && !_closed ? missing : _closed ? _sent.ToArray() : Enumerable.Range(0, Spec.Partitions)) AskPartition(k);
            Timers.StartSingleTimer("step", new StepTimeout(_globalStep), _stepTimeout);
        });
        Common();
    }

    private void Common()
    {
        Receive<DataQueries.GetPartitionData>(SendPartitionData);
        Receive<ShardReplies.StateChunk>(m =>
        {
            if (_state is null) return;
            _state.Add(m);
            if (!_state.IsComplete) return;
            LoadState(_state);
            var then = _onState!;
            _state = null;
            _onState = null;
            then();
        });
        Receive<ShardReplies.WeightsUnavailable>(m => Timers.StartSingleTimer("state", new RetryState(m.Requested), TimeSpan.FromMilliseconds(200)));
        Receive<RetryState>(m =>
        {
            if (_state?.Version == m.Version) RequestState(m.Version);
        });
        Receive<TrainerCommands.Cancel>(_ => Finish(JobState.Cancelled, null, "cancelled"));
    }

    private void StartStep()
    {
        _sent.Clear();
        _stepped.Clear();
        _closed = false;
        // With backup partitions, one still busy with an older step is asked when it reports: asking now would queue
        // work behind it. In sync mode every partition has sent (its report may trail the shards' replies).
        if (_askedAhead != _globalStep)
            for (var k = 0; k < Spec.Partitions; k++)
                if (Spec.Backup == 0 || !_busy.ContainsKey(k)) AskPartition(k);
        Timers.StartSingleTimer("step", new StepTimeout(_globalStep), _stepTimeout);
    }

    /// <summary>
    /// Sync mode: once every partition has sent its part of step t, step t + 1 is asked for while the shards are still
    /// summing. Each partition then asks the shards for weights t + 1, which they send the moment they apply, instead
    /// of the trainer hearing of it, telling the partitions and these asking: several message hops fewer between one
    /// step's last gradient and the next step's compute. Not across an epoch's end, a checkpoint or the last step,
    /// where the trainer reads the shards' state between the two steps.
    /// </summary>
    private void AskAhead()
    {
        var next = _globalStep + 1;
        if (next >= TotalSteps || next % _plan.StepsPerEpoch == 0 || next % Spec.CheckpointEvery == 0) return;
        _askedAhead = next;
        for (var k = 0; k < Spec.Partitions; k++) AskPartition(k, next);
    }

    private void AskPartition(int k) => AskPartition(k, _globalStep);

    private void AskPartition(int k, long step)
    {
        _busy[k] = step;
        _partitions.Tell(new PartitionCommands.ComputeGradient(_setup, k, (int)(step / _plan.StepsPerEpoch), (int)(step % _plan.StepsPerEpoch), step));
    }

    /// <summary>The first Partitions − Backup partitions to report make the step, on every shard alike.</summary>
    private void CloseStep()
    {
        _closed = true;
        var members = _sent.Order().ToArray();
        // The shards keep late parts of the last LateSteps steps: older ones are gone.
        ShardCommands.LatePart[] carried = [.. _carried.Where(p => p.Step >= _globalStep - ShardCommands.CloseStep.LateSteps)];
        for (var k = 0; k < Spec.Partitions; k++)
            if (!_sent.Contains(k) && _nodes.TryGetValue(k, out var node)) _leftOut[node] = _leftOut.GetValueOrDefault(node) + 1;
        for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ShardCommands.CloseStep(_id, s, _globalStep, members, carried));
        _leftOutOf[_globalStep] = [.. Enumerable.Range(0, Spec.Partitions).Where(k => !_sent.Contains(k))];
        _leftOutOf.Remove(_globalStep - ShardCommands.CloseStep.LateSteps);
        _closedCarrying = carried.Length > 0;
        _carried.Clear();
    }

    private void StepDone()
    {
        Timers.Cancel("step");
        if (!double.IsFinite(_stepLoss))
        {
            Finish(JobState.Failed, null, $"loss became {_stepLoss} at epoch {Epoch + 1}, step {StepInEpoch + 1}; the last good checkpoint is kept");
            return;
        }
        _epochLossSum += _stepLoss;
        _epochSteps++;
        _globalStep++;
        Progressed(Epoch + (StepInEpoch == 0 ? 0 : 1), _globalStep);
        var epochEnded = StepInEpoch == 0;
        if ((_globalStep == 1 || _globalStep % Math.Max(1, TotalSteps / 200) == 0) && !epochEnded)
            _status = _status with { Curve = [.. _status.Curve, new CurvePoint(_globalStep, (double)_globalStep / _plan.StepsPerEpoch, _stepLoss, null)] };
        var checkpoint = _globalStep % Spec.CheckpointEvery == 0;
        if (_globalStep == TotalSteps)
        {
            Become(Closing);
            FetchState(_globalStep, Complete);
            return;
        }
        if (epochEnded || checkpoint)
        {
            Become(Closing);
            FetchState(_globalStep, () =>
            {
                // The epoch's metrics first: a checkpoint at an epoch's end then holds the next epoch's empty loss sum.
                if (epochEnded) EndEpoch();
                if (checkpoint) WriteCheckpoint();
                Become(Training);
                StartStep();
            });
            return;
        }
        Publish();
        StartStep();
    }

    private void Closing()
    {
        Receive<PartitionEvents.GradientSent>(Measured);
        Common();
    }

    /// <summary>
    /// A batch's metrics count towards the epoch if the batch is in its step: without backup partitions every one is,
    /// even when its report trails the shards' replies; with them, those reported before the step closed.
    /// </summary>
    private void Measured(PartitionEvents.GradientSent m)
    {
        if (Spec.Backup == 0 ? m.GlobalStep <= _globalStep : m.GlobalStep == _globalStep && !_closed && !_sent.Contains(m.Partition))
            _epochMetrics.Add(m.Partition, m.GlobalStep, m.Metrics);
    }

    private void EndEpoch()
    {
        var metrics = new Dictionary<string, double> { ["loss"] = _epochLossSum / Math.Max(1, _epochSteps) };
        var training = _epochMetrics.Close(_globalStep);
        foreach (var (name, value) in training) metrics[name] = value;
        _epochLossSum = 0;
        _epochSteps = 0;
        var validation = new Dictionary<string, double>();
        if (_data.Validation is { Rows: > 0 } v)
        {
            var result = _model.Evaluate(v.FeaturesTensor(_backend), v.TargetsTensor(_backend));
            validation["loss"] = result.Loss;
            foreach (var (name, value) in result.Metrics) validation[name] = value;
        }
        var point = new CurvePoint(_globalStep, (double)_globalStep / _plan.StepsPerEpoch, metrics["loss"], validation.Count > 0 ? validation : null)
        {
            Training = training.Count > 0 ? training : null,
        };
        _status = _status with { Epoch = Epoch, Metrics = metrics, Validation = validation, Curve = [.. _status.Curve, point] };
        Publish();
    }

    /// <summary>Weights, optimizer state and the data cursor (global step), resumable with Sequential.Load.</summary>
    private void WriteCheckpoint()
    {
        _model.EpochsDone = Epoch;
        _model.Save(CheckpointPath, new Dictionary<string, string>
        {
            [StepKey] = _globalStep.ToString(CultureInfo.InvariantCulture),
            [EpochLossKey] = _epochLossSum.ToString("R", CultureInfo.InvariantCulture),
            [EpochStepsKey] = _epochSteps.ToString(CultureInfo.InvariantCulture),
            [EpochMetricsKey] = _epochMetrics.Save(),
            [PartitionStepsKey] = string.Join(",", _done.Select(d => d.ToString(CultureInfo.InvariantCulture))),
        });
    }

    /// <summary>The last step is done: the last epoch's metrics, the final checkpoint, then the job's results.</summary>
    private void Complete()
    {
        EndEpoch();
        WriteCheckpoint();
        Conclude();
    }

    /// <summary>Evaluates the trained model on the test set, writes it for download, and ends the job as succeeded.</summary>
    private void Conclude()
    {
        var result = _model.Evaluate(_data.Test.FeaturesTensor(_backend), _data.Test.TargetsTensor(_backend));
        var test = new Dictionary<string, double> { ["loss"] = result.Loss };
        foreach (var (name, value) in result.Metrics) test[name] = value;
        _model.EpochsDone = Spec.Epochs;
        var path = Path.Combine(_directory, "model.safetensors");
        _model.Save(path);
        _status = _status with { Test = test, WeightsSha256 = WeightsDigest.Sha256(_model.Parameters), Epoch = Spec.Epochs, Step = TotalSteps };
        Finish(JobState.Succeeded, path, null);
    }

    private void Finish(JobState state, string? modelPath, string? error)
    {
        Timers.CancelAll();
        _status = _status with { State = state, Error = error, Waiting = null, Finished = DateTimeOffset.UtcNow };
        for (var k = 0; k < Spec.Partitions; k++) _partitions.Tell(new PartitionCommands.ReleasePartition(_id, k));
        for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ShardCommands.StopShard(_id, s));
        Context.Parent.Tell(new TrainerEvents.Finished(_status, modelPath));
        Context.Stop(Self);
    }

    private void Fail(string error)
    {
        _status = _status with { State = JobState.Failed, Error = error, Finished = DateTimeOffset.UtcNow };
        Context.Parent.Tell(new TrainerEvents.Finished(_status, null));
        Context.Stop(Self);
    }

    private void FetchState(long version, Action then)
    {
        _state = new StateAssembly(_offsets, version, 1 + _model.Optimizer!.Slots.Count);
        _onState = then;
        RequestState(version);
    }

    private void RequestState(long version)
    {
        for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ShardCommands.GetState(_id, s, version));
    }

    /// <summary>The shards' weights and optimizer state into the trainer's model, which evaluates and saves them.</summary>
    private void LoadState(StateAssembly state)
    {
        ParameterVector.WriteValues(_model.Parameters, state.Slot(0));
        var optimizer = _model.Optimizer!;
        var slots = optimizer.State(_model.Parameters).ToDictionary(s => s.Name, s => s.Value);
        for (var j = 0; j < optimizer.Slots.Count; j++)
        {
            var values = state.Slot(j + 1);
            var offset = 0;
            foreach (var p in _model.Parameters)
            {
                _backend.Upload(values.AsSpan(offset, p.Value.Size), slots[Optimizer.SlotKey(optimizer.Slots[j], p.Name)].Storage);
                offset += p.Value.Size;
            }
        }
        optimizer.Steps = state.OptimizerSteps;
    }

    private void SendPartitionData(DataQueries.GetPartitionData m)
    {
        var train = _data.Train;
        var rows = _plan.PartitionRows(m.Partition);
        var rowsPerChunk = Math.Max(1, Chunking.ChunkFloats / Math.Max(1, train.FeatureLength));
        var chunks = Math.Max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        var first = m.Chunk * rowsPerChunk;
        var count = Math.Max(0, Math.Min(rowsPerChunk, rows - first));
        var global = Enumerable.Range(first, count).Select(local => local * Spec.Partitions + m.Partition).ToArray();
        var slice = train.Take(global);
        Sender.Tell(new DataReplies.PartitionData(_id, m.Partition, m.Chunk, chunks, first, count, slice.Features, slice.Targets));
    }

    private void Publish() => Context.Parent.Tell(new TrainerEvents.Progress(_status));
}
