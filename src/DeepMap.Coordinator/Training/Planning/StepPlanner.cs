using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// The rules of one consistency mode's steps, without Akka: the trainer feeds in what it hears (a partition
/// reported or skipped a step, a shard stepped, the step timer fired, the state it asked for was read) and carries
/// out the actions that come back, in order. Each mode is one subclass; tests drive them directly.
/// </summary>
public abstract class StepPlanner
{
    private readonly Dictionary<int, string> _nodes = [];
    private readonly Dictionary<string, long> _nodeSamples = [];
    private List<StepAction> _actions = [];

    protected StepPlanner(StepSchedule schedule, int partitions, int shards, long cursor)
    {
        Schedule = schedule;
        Partitions = partitions;
        Shards = shards;
        Cursor = cursor;
    }

    /// <summary>A planner for the job's consistency mode, going on from a cursor and, in the asynchronous modes, each partition's steps done.</summary>
    public static StepPlanner For(JobSpec spec, StepSchedule schedule, long cursor, long[] partitionSteps, TimeSpan stepTimeout, TimeProvider clock) =>
        spec.Consistency != Consistency.Sync
            ? new AsynchronousStepPlanner(schedule, spec.Partitions, spec.PsShards, cursor, partitionSteps,
                spec.Consistency == Consistency.Bounded ? spec.Staleness : null, stepTimeout, clock)
            : spec.Backup > 0
                ? new BackupStepPlanner(schedule, spec.Partitions, spec.PsShards, cursor, spec.Backup)
                : new SyncStepPlanner(schedule, spec.Partitions, spec.PsShards, cursor);

    protected StepSchedule Schedule { get; }

    protected int Partitions { get; }

    protected int Shards { get; }

    /// <summary>The job's step: epoch ends, checkpoints and the end are taken when it reaches them.</summary>
    public long Cursor { get; protected set; }

    /// <summary>The parameter servers' weight version: steps applied, or in the asynchronous modes contributions applied.</summary>
    public abstract long Version { get; }

    /// <summary>Steps' worth of training done: the cursor, or in the asynchronous modes contributions sent over partitions.</summary>
    public abstract long StepsDone { get; }

    /// <summary>Steps each partition has sent, as a checkpoint keeps them: in lockstep, the cursor for every one.</summary>
    public virtual IReadOnlyList<long> PartitionSteps => [.. Enumerable.Repeat(Cursor, Partitions)];

    /// <summary>What makes a shard apply a step in this mode.</summary>
    public abstract ParameterServerStepping Stepping { get; }

    /// <summary>Samples each node has computed for the job, by node address.</summary>
    public IReadOnlyDictionary<string, long> NodeSamples => _nodeSamples;

    /// <summary>By node, the partition-steps it hosted that a step closed without (backup partitions only).</summary>
    public virtual IReadOnlyDictionary<string, long> NodeLeftOut { get; } = new Dictionary<string, long>();

    /// <summary>The step each partition was last asked for and has not answered.</summary>
    protected Dictionary<int, long> Busy { get; } = [];

    /// <summary>Every shard is ready: the first asks.</summary>
    public IReadOnlyList<StepAction> Start() => Run(OnStart);

    public IReadOnlyList<StepAction> Reported(PartitionEvents.GradientSent m) => Run(() => OnReported(m));

    public IReadOnlyList<StepAction> Skipped(PartitionEvents.StepSkipped m) => Run(() => OnSkipped(m));

    public IReadOnlyList<StepAction> Stepped(ParameterServerReplies.ShardStepped m) => Run(() => OnStepped(m));

    public IReadOnlyList<StepAction> TimedOut(long step) => Run(() => OnTimedOut(step));

    /// <summary>
    /// A node left the cluster: the partitions it hosted move, and whatever they were computing there is lost. They
    /// are asked again now rather than at the step timeout (asking is idempotent, so a part that did arrive counts once).
    /// </summary>
    public IReadOnlyList<StepAction> MemberLeft(string node) => Run(() => OnMemberLeft(node));

    /// <summary>The state asked for with <see cref="StepAction.ReadState"/> is read and recorded: steps go on.</summary>
    public IReadOnlyList<StepAction> StateRead() => Run(OnStateRead);

    protected abstract void OnStart();

    protected abstract void OnReported(PartitionEvents.GradientSent m);

    protected abstract void OnSkipped(PartitionEvents.StepSkipped m);

    protected abstract void OnStepped(ParameterServerReplies.ShardStepped m);

    protected abstract void OnTimedOut(long step);

    protected abstract void OnMemberLeft(string node);

    protected abstract void OnStateRead();

    protected void Emit(StepAction action) => _actions.Add(action);

    protected virtual void Ask(int partition, long step)
    {
        Busy[partition] = step;
        Emit(new StepAction.AskPartition(partition, step));
    }

    /// <summary>A partition answered for a step from a node: it is no longer busy with that step.</summary>
    protected void Answered(int partition, long step, string node)
    {
        _nodes[partition] = node;
        if (Busy.GetValueOrDefault(partition, -1) == step) Busy.Remove(partition);
    }

    protected void Computed(string node, long samples) => _nodeSamples[node] = _nodeSamples.GetValueOrDefault(node) + samples;

    protected string? NodeOf(int partition) => _nodes.GetValueOrDefault(partition);

    /// <summary>The partitions whose last report came from <paramref name="node"/>, in order.</summary>
    protected int[] HostedOn(string node) => [.. _nodes.Where(n => n.Value == node).Select(n => n.Key).Order()];

    /// <summary>"0 (last on node), 1": partitions with the node that last reported for them.</summary>
    protected string Describe(IEnumerable<int> partitions) =>
        string.Join(", ", partitions.Select(k => NodeOf(k) is { } node ? $"{k} (last on {node})" : k.ToString()));

    private List<StepAction> Run(Action handle)
    {
        _actions = [];
        handle();
        return _actions;
    }
}
