using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// Synchronous steps with backup partitions: the first Partitions − Backup parts to reach the trainer make the step,
/// on every shard alike. A straggler's late part of one of the last <see cref="ParameterServerCommands.CloseStep.LateSteps"/>
/// steps is carried into the next close, a few steps stale, so a partition that is always a little late still trains
/// on its data; a partition still busy with an older step is asked for the open one when it reports, since asking
/// sooner would queue work behind it.
/// </summary>
public sealed class BackupStepPlanner(StepSchedule schedule, int partitions, int shards, long cursor, int backup)
    : LockstepPlanner(schedule, partitions, shards, cursor)
{
    private readonly Dictionary<string, long> _leftOut = [];

    // Who each of the last few steps left out, and the late parts of those steps that the next close carries.
    private readonly Dictionary<long, HashSet<int>> _leftOutOf = [];
    private readonly List<ParameterServerCommands.LatePart> _carried = [];
    private bool _closed;
    private bool _closedCarrying;

    public override ParameterServerStepping Stepping => ParameterServerStepping.NamedByTrainer;

    public override IReadOnlyDictionary<string, long> NodeLeftOut => _leftOut;

    protected override void OnReported(PartitionEvents.GradientSent m)
    {
        Answered(m.Partition, m.Step, m.Node);
        // The parts that make a step are those reported before it closed.
        if (!Reading && m.Step == Cursor && !_closed && !Sent.Contains(m.Partition))
            Emit(new StepAction.CountMetrics(m.Partition, m.Step, m.Metrics));
        if (m.Step != Cursor || Reading)
        {
            if (_leftOutOf.TryGetValue(m.Step, out var leftOut) && leftOut.Remove(m.Partition))
            {
                _carried.Add(new ParameterServerCommands.LatePart(m.Partition, m.Step));
                Computed(m.Node, m.Samples);
            }
            if (!Reading) AskIfIdle(m.Partition);
            return;
        }
        if (!Sent.Add(m.Partition)) return;
        Computed(m.Node, m.Samples);
        if (!_closed && Sent.Count == Partitions - backup) Close();
    }

    protected override void OnSkipped(PartitionEvents.StepSkipped m)
    {
        Answered(m.Partition, m.Step, m.Node);
        if (!Reading && m.Step != Cursor) AskIfIdle(m.Partition);
    }

    protected override void AskOpenStep()
    {
        _closed = false;
        for (var k = 0; k < Partitions; k++)
            if (!Busy.ContainsKey(k)) Ask(k, Cursor);
    }

    protected override void AskAgain(int[] missing)
    {
        // A carried part of the step before cannot be computed again: the step closes again without it.
        if (_closed && _closedCarrying)
        {
            _closedCarrying = false;
            Emit(new StepAction.CloseStep(Cursor, [.. Sent.Order()], []));
        }
        foreach (var k in missing.Length > 0 && !_closed ? missing : _closed ? Sent.Order() : Enumerable.Range(0, Partitions)) Ask(k, Cursor);
    }

    // Once the step has closed, it needs none of them.
    protected override void AskLost(int[] partitions)
    {
        if (_closed) return;
        foreach (var k in partitions) Ask(k, Cursor);
    }

    private void AskIfIdle(int partition)
    {
        if (!_closed && !Busy.ContainsKey(partition) && !Sent.Contains(partition)) Ask(partition, Cursor);
    }

    private void Close()
    {
        _closed = true;
        // Only the last LateSteps steps are remembered as leaving anyone out, so every carried part is one the shards still keep.
        ParameterServerCommands.LatePart[] carried = [.. _carried];
        var leftOut = Enumerable.Range(0, Partitions).Where(k => !Sent.Contains(k)).ToHashSet();
        foreach (var k in leftOut)
            if (NodeOf(k) is { } node) _leftOut[node] = _leftOut.GetValueOrDefault(node) + 1;
        Emit(new StepAction.CloseStep(Cursor, [.. Sent.Order()], carried));
        _leftOutOf[Cursor] = leftOut;
        _leftOutOf.Remove(Cursor - ParameterServerCommands.CloseStep.LateSteps);
        _closedCarrying = carried.Length > 0;
        _carried.Clear();
    }
}
