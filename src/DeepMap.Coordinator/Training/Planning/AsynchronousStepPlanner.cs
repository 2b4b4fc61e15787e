using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// The asynchronous modes. Each partition goes through its own steps at its own pace (its step j is its minibatch j,
/// at whatever weights the shards hold when it asks), the shards apply each contribution as it arrives, and with a
/// staleness bound (consistency: bounded) no partition starts a step more than that many ahead of the slowest. The
/// cursor is the slowest partition's step: at a boundary nobody is asked until every contribution sent is applied
/// on every shard, so the state the trainer reads is one version on every shard.
/// </summary>
public sealed class AsynchronousStepPlanner : StepPlanner
{
    private readonly long[] _done;
    private readonly long[] _appliedBy;
    private readonly int? _staleness;
    private readonly TimeSpan _stepTimeout;
    private readonly TimeProvider _clock;
    private readonly Dictionary<int, DateTimeOffset> _askedAt = [];
    private bool _holding;
    private bool _reading;

    // Shard 0's reports since the last step's worth: every P contributions make one step's loss.
    private double _windowLoss;
    private long _windowSamples;
    private int _windowContributions;

    /// <param name="done">Steps each partition has sent (from the checkpoint when resuming).</param>
    /// <param name="staleness">How far ahead of the slowest a partition may run, or null for no bound.</param>
    public AsynchronousStepPlanner(StepSchedule schedule, int partitions, int shards, long cursor, long[] done, int? staleness, TimeSpan stepTimeout, TimeProvider clock)
        : base(schedule, partitions, shards, cursor)
    {
        if (done.Length != partitions) throw new ArgumentException($"{done.Length} partitions' steps for a job of {partitions}", nameof(done));
        _done = [.. done];
        _appliedBy = [.. Enumerable.Repeat(_done.Sum(), shards)];
        _staleness = staleness;
        _stepTimeout = stepTimeout;
        _clock = clock;
    }

    public override long Version => _done.Sum();

    public override long StepsDone => _done.Sum() / Partitions;

    public override ParameterServerStepping Stepping => ParameterServerStepping.EachContribution;

    public override IReadOnlyList<long> PartitionSteps => _done;

    protected override void OnStart()
    {
        AskReady();
        Emit(new StepAction.StartTimeout(Cursor));
    }

    protected override void OnReported(PartitionEvents.GradientSent m)
    {
        if ((uint)m.Partition >= (uint)Partitions) return;
        Answer(m.Partition, m.Step, m.Node);
        // Anything but the partition's next step is a repeat of one already counted (it was asked again).
        if (m.Step == _done[m.Partition])
        {
            Emit(new StepAction.CountMetrics(m.Partition, m.Step, m.Metrics));
            _done[m.Partition]++;
            Computed(m.Node, m.Samples);
        }
        Advance();
    }

    protected override void OnSkipped(PartitionEvents.StepSkipped m)
    {
        if ((uint)m.Partition >= (uint)Partitions) return;
        Answer(m.Partition, m.Step, m.Node);
        Advance();
    }

    protected override void OnStepped(ParameterServerReplies.ShardStepped m)
    {
        if ((uint)m.Shard >= (uint)Shards) return;
        _appliedBy[m.Shard]++;
        if (m.Shard == 0) Contributed(m.LossSum, m.Samples);
        Release();
    }

    protected override void OnStateRead()
    {
        _reading = false;
        _holding = false;
        Advance();
    }

    /// <summary>Asks again whoever has not answered within the step timeout, or, while holding, whoever sent last.</summary>
    protected override void OnTimedOut(long step)
    {
        Emit(new StepAction.StartTimeout(Cursor));
        var now = _clock.GetUtcNow();
        var late = _askedAt.Where(a => now - a.Value >= _stepTimeout).Select(a => a.Key).Order().ToArray();
        if (late.Length > 0)
        {
            Emit(new StepAction.Waiting($"waiting for partitions {Describe(late)} (asked again)"));
            foreach (var k in late) Ask(k, Busy[k]);
        }
        else if (_holding && Busy.Count == 0 && !_reading && _appliedBy.Any(a => a < Version))
        {
            // A slice lost with a node that left: the shards keep what they applied, so asking again counts nothing twice.
            Emit(new StepAction.Waiting($"step {Cursor}: waiting for parameter-server shards {string.Join(", ", Enumerable.Range(0, Shards).Where(s => _appliedBy[s] < Version))} (last steps asked again)"));
            for (var k = 0; k < Partitions; k++)
                if (_done[k] > 0) Ask(k, _done[k] - 1);
        }
    }

    protected override void OnMemberLeft(string node)
    {
        foreach (var k in HostedOn(node))
            if (Busy.TryGetValue(k, out var step)) Ask(k, step);
    }

    protected override void Ask(int partition, long step)
    {
        _askedAt[partition] = _clock.GetUtcNow();
        base.Ask(partition, step);
    }

    private void Answer(int partition, long step, string node)
    {
        if (Busy.GetValueOrDefault(partition, -1) == step) _askedAt.Remove(partition);
        Answered(partition, step, node);
    }

    /// <summary>Moves the cursor to the slowest partition's step, holding at the first boundary it reaches.</summary>
    private void Advance()
    {
        while (!_holding && _done.Min() > Cursor)
        {
            Cursor++;
            if (Schedule.IsBoundary(Cursor)) _holding = true;
        }
        if (_holding) Release();
        else AskReady();
    }

    private void AskReady()
    {
        if (_holding) return;
        var slowest = _done.Min();
        for (var k = 0; k < Partitions; k++)
        {
            var step = _done[k];
            if (Busy.ContainsKey(k) || step >= Schedule.TotalSteps) continue;
            if (_staleness is { } bound && step > slowest + bound) continue;
            Ask(k, step);
        }
    }

    /// <summary>While holding: once every contribution sent is applied on every shard, the state is read.</summary>
    private void Release()
    {
        if (!_holding || _reading || Busy.Count > 0 || _appliedBy.Any(a => a < Version)) return;
        _reading = true;
        Emit(new StepAction.ReadState(Version));
    }

    private void Contributed(double lossSum, long samples)
    {
        _windowLoss += lossSum;
        _windowSamples += samples;
        if (++_windowContributions < Partitions) return;
        Emit(new StepAction.StepDone(StepsDone, _windowSamples == 0 ? 0 : _windowLoss / _windowSamples, _windowSamples));
        (_windowLoss, _windowSamples, _windowContributions) = (0, 0, 0);
    }
}
