using Akka.Actor;
using Akka.Event;
using DeepMap.Coordinator.Training;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends;

namespace DeepMap.Coordinator.Jobs;

/// <summary>
/// The cluster singleton that owns the jobs: checks and queues submissions, keeps the job store, runs one job at a
/// time through a <see cref="Trainer"/>, and answers status queries. It also keeps the devices workers report.
/// </summary>
public sealed class JobManager : ReceiveActor, IWithTimers
{
    // A running job's progress reaches the store at most this often (a restarted coordinator resumes from the job's
    // checkpoint, not from its last status); a change of state is stored at once.
    private static readonly TimeSpan SaveProgressEvery = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CoordinatorSettings _settings;
    private readonly JobStore _store;
    private readonly JobSpecValidator _validator;
    private readonly IActorRef _partitions;
    private readonly IActorRef _shards;
    private readonly IBackend _backend;
    private readonly Dictionary<string, JobStatus> _jobs = [];
    private readonly Dictionary<string, ValidatedJob> _specs = [];
    private readonly Queue<string> _queue = new();
    private readonly Dictionary<string, string> _devices = [];
    private (string Id, IActorRef Trainer)? _running;
    private readonly HashSet<string> _unsaved = [];

    private sealed record SaveProgress;

    public JobManager(CoordinatorSettings settings, IActorRef partitions, IActorRef shards, IBackend backend)
    {
        _settings = settings;
        _store = new JobStore(settings.State);
        _validator = new JobSpecValidator(new DataRoots(settings.Data));
        _partitions = partitions;
        _shards = shards;
        _backend = backend;
        Receive<JobCommands.SubmitJob>(Submit);
        Receive<JobQueries.GetJob>(m => Sender.Tell(_jobs.TryGetValue(m.JobId, out var s) ? s : new JobReplies.JobNotFound(m.JobId)));
        Receive<JobQueries.ListJobs>(_ => Sender.Tell(new JobReplies.JobList(_jobs.Values.OrderBy(j => j.Submitted).ToArray())));
        Receive<JobQueries.GetModel>(m => Sender.Tell(_jobs.ContainsKey(m.JobId)
            ? new JobReplies.ModelFile(m.JobId, _store.ModelPath(m.JobId))
            : new JobReplies.JobNotFound(m.JobId)));
        Receive<JobCommands.CancelJob>(Cancel);
        Receive<TrainerEvents.Progress>(m => Update(m.Status));
        Receive<SaveProgress>(_ => SaveUnsaved());
        Receive<TrainerEvents.Finished>(m =>
        {
            Update(m.Status);
            _running = null;
            StartNext();
        });
        Receive<WorkerEvents.WorkerUp>(m =>
        {
            _devices[m.Address] = m.Device;
            Sender.Tell(new WorkerEvents.WorkerAcknowledged());
        });
        Receive<ClusterQueries.GetDevices>(_ => Sender.Tell(new ClusterQueries.Devices(new Dictionary<string, string>(_devices))));
    }

    /// <summary>
    /// A restarted coordinator takes up the jobs it had: the one that was running goes on from its checkpoint (or from
    /// the start if it had none), then the queue in submission order. A job whose spec no longer validates — its data
    /// moved, say — fails with that reason.
    /// </summary>
    protected override void PreStart()
    {
        var unfinished = new List<JobStatus>();
        foreach (var status in _store.LoadAll())
        {
            _jobs[status.Id] = status;
            if (status.State is JobState.Queued or JobState.Running) unfinished.Add(status);
        }
        foreach (var status in unfinished.OrderBy(s => s.State == JobState.Running ? 0 : 1).ThenBy(s => s.Submitted))
        {
            try
            {
                _specs[status.Id] = _validator.Validate(JobSpecParser.Parse(_store.LoadSpec(status.Id)));
            }
            catch (Exception e) when (e is JobSpecException or IOException)
            {
                Update(status with { State = JobState.Failed, Error = $"the coordinator restarted and could not take the job up again: {e.Message}", Finished = DateTimeOffset.UtcNow });
                continue;
            }
            _log.Info("job {0} was {1} when the coordinator stopped; taking it up again", status.Id, status.State.ToString().ToLowerInvariant());
            _queue.Enqueue(status.Id);
        }
        StartNext();
    }

    private void Submit(JobCommands.SubmitJob m)
    {
        ValidatedJob job;
        try
        {
            job = _validator.Validate(JobSpecParser.Parse(m.SpecText));
        }
        catch (JobSpecException e)
        {
            Sender.Tell(new JobReplies.JobRefused(e.Reason, e.Path));
            return;
        }
        var id = NewId(job.Spec.Name);
        var status = new JobStatus(id, job.Spec.Name, JobState.Queued, 0, job.Spec.Epochs, 0, 0, null,
            new Dictionary<string, double>(), new Dictionary<string, double>(), new Dictionary<string, double>(), 0, null, null, null, DateTimeOffset.UtcNow, null);
        _store.SaveSpec(id, m.SpecText);
        _specs[id] = job;
        Update(status);
        _queue.Enqueue(id);
        _log.Info("job {0} ({1}) accepted: {2} parameters, {3} partitions, {4} parameter-server shards", id, job.Spec.Name, job.Parameters, job.Spec.Partitions, job.Spec.PsShards);
        Sender.Tell(new JobReplies.JobAccepted(id));
        StartNext();
    }

    private string NewId(string name)
    {
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss");
        var id = $"{name}-{stamp}";
        for (var n = 2; _jobs.ContainsKey(id); n++) id = $"{name}-{stamp}-{n}";
        return id;
    }

    private void StartNext()
    {
        if (_running is not null) return;
        while (_queue.TryDequeue(out var id))
        {
            // Running here means a job a restarted coordinator takes up again.
            if (_jobs[id].State is not (JobState.Queued or JobState.Running)) continue;
            var job = _specs[id];
            var status = _jobs[id];
            var trainer = Context.ActorOf(Props.Create(() => new Trainer(id, job, _settings.State, _settings.StepTimeout, _partitions, _shards, _backend, status)), $"trainer-{id}");
            _running = (id, trainer);
            Update(_jobs[id] with { State = JobState.Running });
            return;
        }
    }

    private void Cancel(JobCommands.CancelJob m)
    {
        if (!_jobs.TryGetValue(m.JobId, out var status))
        {
            Sender.Tell(new JobReplies.JobNotFound(m.JobId));
            return;
        }
        if (_running?.Id == m.JobId) _running.Value.Trainer.Tell(new TrainerCommands.Cancel());
        else if (status.State == JobState.Queued) Update(status with { State = JobState.Cancelled, Finished = DateTimeOffset.UtcNow });
        Sender.Tell(_jobs[m.JobId]);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PostStop() => SaveUnsaved();

    private void SaveUnsaved()
    {
        foreach (var id in _unsaved) _store.SaveStatus(_jobs[id]);
        _unsaved.Clear();
    }

    private void Update(JobStatus status)
    {
        var changed = !_jobs.TryGetValue(status.Id, out var previous) || previous.State != status.State;
        _jobs[status.Id] = status;
        if (changed)
        {
            _store.SaveStatus(status);
            _unsaved.Remove(status.Id);
            return;
        }
        if (_unsaved.Add(status.Id) && !Timers.IsTimerActive(nameof(SaveProgress))) Timers.StartSingleTimer(nameof(SaveProgress), new SaveProgress(), SaveProgressEvery);
    }
}
