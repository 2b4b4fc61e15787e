using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using DeepMap.Coordinator.Training.Planning;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// Drives one job: loads its data, seeds the parameter-server shards with the initial weights — or with a
/// checkpoint's weights, optimizer state and cursors when a restarted coordinator resumes it — then feeds what
/// partitions and shards report into the job's <see cref="StepPlanner"/> and carries out what it plans. At the
/// boundaries the planner stops at it reads the shards' state: validation at epoch ends, a checkpoint every few
/// steps, and at the end the test set and the model file.
/// </summary>
public sealed class Trainer : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _id;
    private readonly ValidatedJob _job;
    private readonly string _directory;
    private readonly TimeSpan _stepTimeout;
    private readonly IActorRef _partitions;
    private readonly IActorRef _shards;
    private readonly IBackend _backend;
    private readonly JobStatus _status;
    private readonly HashSet<int> _ready = [];
    private JobProgress _progress = null!;
    private JobData _data = null!;
    private Sequential _model = null!;
    private StepSchedule _schedule = null!;
    private StepPlanner _planner = null!;
    private PartitionSetup _setup = null!;
    private PartitionDataServer _dataServer = null!;
    private int[] _offsets = [];
    private StateAssembly? _state;
    private bool _ended;

    // Partitions and shards were started: at the end they are released (a job concluded from its final checkpoint has none).
    private bool _launched;

    private sealed record StepTimeout(long Step);

    private sealed record RetryState(long Version);

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
        _status = status;
        Initializing();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private JobSpec Spec => _job.Spec;

    private string CheckpointPath => Path.Combine(_directory, "checkpoint.safetensors");

    protected override void PreStart()
    {
        Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.MemberRemoved));
        Directory.CreateDirectory(_directory);
        TrainingStart start;
        try
        {
            start = TrainingStart.Load(_job, CheckpointPath, _backend);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException)
        {
            Fail($"loading the {(File.Exists(CheckpointPath) ? "checkpoint or " : "")}data: {e.Message}");
            return;
        }
        (_data, _model) = (start.Data, start.Model);
        var checkpoint = start.Checkpoint;
        _schedule = new StepSchedule(start.Plan.StepsPerEpoch, Spec.Epochs, Spec.CheckpointEvery);
        _progress = new JobProgress(_schedule, _status);
        _dataServer = new PartitionDataServer(_id, _data.Train, start.Plan);
        if (start.FromCheckpoint)
            _log.Info("job {0}: resuming from the checkpoint at step {1}; the {2} steps done since are computed again", _id, checkpoint.Step, _progress.Resumed(checkpoint));
        else if (_progress.Status.Step > 0)
        {
            _log.Info("job {0}: no checkpoint yet; starting over (the {1} steps done are computed again)", _id, _progress.Status.Step);
            _progress.Restarted();
        }
        if (_schedule.IsLast(checkpoint.Step))
        {
            // The coordinator stopped between the final checkpoint and recording the job's end: no step is left.
            _log.Info("job {0}: its final checkpoint is at the last step; completing it without training", _id);
            Conclude();
            return;
        }
        _planner = StepPlanner.For(Spec, _schedule, checkpoint.Step, checkpoint.PartitionSteps, _stepTimeout, TimeProvider.System);
        _offsets = WeightsAssembly.ShardOffsets(start.State[0].Length, Spec.PsShards);
        var self = Akka.Serialization.Serialization.SerializedActorPath(Self);
        _setup = JobLaunch.Setup(_id, Spec, _data.Train, _offsets, self, _planner.Stepping);
        foreach (var state in JobLaunch.ShardStates(_id, Spec, start.State, _offsets, self, _planner.Version, _model.Optimizer!.Steps, _planner.Stepping))
            _shards.Tell(state);
        _launched = true;
        var resuming = checkpoint.Step > 0 ? $"resuming from the checkpoint at step {checkpoint.Step}: " : "";
        _progress.Started(_planner.StepsDone, resuming + "parameter-server shards to start");
        Publish();
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void Initializing()
    {
        Receive<ParameterServerReplies.ShardReady>(m =>
        {
            if ((uint)m.Shard >= (uint)Spec.PsShards) return;
            _setup.ShardEndpoints[m.Shard] = m.DataEndpoint;
            _ready.Add(m.Shard);
            if (_ready.Count < Spec.PsShards) return;
            Become(Training);
            Execute(_planner.Start());
        });
        Common();
    }

    private void Training()
    {
        Receive<PartitionEvents.GradientSent>(m => Execute(_planner.Reported(m)));
        Receive<PartitionEvents.StepSkipped>(m => Execute(_planner.Skipped(m)));
        Receive<ParameterServerReplies.ShardStepped>(m => Execute(_planner.Stepped(m)));
        Receive<StepTimeout>(m => Execute(_planner.TimedOut(m.Step)));
        Receive<ClusterEvent.MemberRemoved>(m => Execute(_planner.MemberLeft(m.Member.Address.ToString())));
        Common();
    }

    private void Common()
    {
        Receive<DataQueries.GetPartitionData>(m => Sender.Tell(_dataServer.Serve(m)));
        Receive<ParameterServerReplies.StateChunk>(m =>
        {
            if (_state is null) return;
            _state.Add(m);
            if (!_state.IsComplete) return;
            FlatTrainingState.Write(_model, _state.Slot, _state.OptimizerSteps);
            _state = null;
            AtBoundary();
        });
        Receive<ParameterServerReplies.WeightsUnavailable>(m => Timers.StartSingleTimer("state", new RetryState(m.Requested), TimeSpan.FromMilliseconds(200)));
        Receive<RetryState>(m =>
        {
            if (_state?.Version == m.Version) RequestState(m.Version);
        });
        Receive<TrainerCommands.Cancel>(_ => Finish(JobState.Cancelled, "cancelled"));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    private void Execute(IReadOnlyList<StepAction> actions)
    {
        foreach (var action in actions)
        {
            if (_ended) return;
            switch (action)
            {
                case StepAction.AskPartition a:
                    _partitions.Tell(new PartitionCommands.ComputeGradient(_setup, a.Partition, a.Step));
                    break;
                case StepAction.CloseStep c:
                    for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ParameterServerCommands.CloseStep(_id, s, c.Step, c.Partitions, c.Carried));
                    break;
                case StepAction.CountMetrics m:
                    _progress.Count(m);
                    break;
                case StepAction.StepDone d:
                    if (_progress.StepDone(d, _planner.NodeSamples, _planner.NodeLeftOut) is { } failure) Finish(JobState.Failed, failure);
                    else Publish();
                    break;
                case StepAction.ReadState r:
                    _state = new StateAssembly(_offsets, r.Version, 1 + _model.Optimizer!.Slots.Count);
                    RequestState(r.Version);
                    break;
                case StepAction.StartTimeout t:
                    Timers.StartSingleTimer("step", new StepTimeout(t.Step), _stepTimeout);
                    break;
                case StepAction.Waiting w:
                    _log.Warning("job {0}: {1}", _id, w.Reason);
                    _progress.Waiting(w.Reason);
                    Publish();
                    break;
            }
        }
    }

    /// <summary>The shards' state is in the model: the epoch's metrics first (a checkpoint at an epoch's end then holds the next epoch's empty sums), the checkpoint, and then the steps go on — or the job ends.</summary>
    private void AtBoundary()
    {
        var step = _planner.Cursor;
        if (_schedule.EndsEpoch(step)) EndEpoch(step);
        if (_schedule.DueCheckpoint(step) || _schedule.IsLast(step)) WriteCheckpoint(step);
        if (_schedule.IsLast(step)) Conclude();
        else Execute(_planner.StateRead());
    }

    private void EndEpoch(long step)
    {
        _progress.EpochEnded(step, _data.Validation is { Rows: > 0 } v ? v.Evaluate(_model) : new Dictionary<string, double>());
        Publish();
    }

    private void WriteCheckpoint(long step)
    {
        _model.EpochsDone = _schedule.Epoch(step);
        _progress.Checkpoint(step, _planner.PartitionSteps).Write(CheckpointPath, _model);
    }

    /// <summary>Evaluates the trained model on the test set, writes it for download, and ends the job as succeeded.</summary>
    private void Conclude()
    {
        var test = _data.Test.Evaluate(_model);
        _model.EpochsDone = Spec.Epochs;
        _model.Save(Path.Combine(_directory, "model.safetensors"));
        _progress.Tested(test, WeightsDigest.Sha256(_model.Parameters));
        Finish(JobState.Succeeded, null);
    }

    private void Finish(JobState state, string? error)
    {
        _ended = true;
        Timers.CancelAll();
        _progress.Ended(state, error);
        if (_launched)
        {
            for (var k = 0; k < Spec.Partitions; k++) _partitions.Tell(new PartitionCommands.ReleasePartition(_id, k));
            for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ParameterServerCommands.StopShard(_id, s));
        }
        Context.Parent.Tell(new TrainerEvents.Finished(_progress.Status));
        Context.Stop(Self);
    }

    private void Fail(string error)
    {
        _ended = true;
        var status = _status with { State = JobState.Failed, Error = error, Finished = DateTimeOffset.UtcNow };
        Context.Parent.Tell(new TrainerEvents.Finished(status));
        Context.Stop(Self);
    }

    private void RequestState(long version)
    {
        for (var s = 0; s < Spec.PsShards; s++) _shards.Tell(new ParameterServerCommands.GetState(_id, s, version));
    }

    private void Publish() => Context.Parent.Tell(new TrainerEvents.Progress(_progress.Status));
}
