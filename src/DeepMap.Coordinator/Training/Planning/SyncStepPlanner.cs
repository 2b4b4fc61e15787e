using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// Synchronous steps: every partition's part of step t makes it. Once every partition has sent step t, step t + 1 is
/// asked for while the shards are still summing (not across a boundary, where the trainer reads the state between
/// the two): each partition then asks the shards for weights t + 1, which they send the moment they apply, several
/// message hops fewer between one step's last gradient and the next step's compute.
/// </summary>
public sealed class SyncStepPlanner(StepSchedule schedule, int partitions, int shards, long cursor)
    : LockstepPlanner(schedule, partitions, shards, cursor)
{
    private long _askedAhead = -1;

    // Reports of the step asked ahead that came before it opened: they count once it does.
    private readonly List<PartitionEvents.GradientSent> _early = [];

    public override ParameterServerStepping Stepping => ParameterServerStepping.AllPartitions;

    protected override void OnReported(PartitionEvents.GradientSent m)
    {
        if (Reading)
        {
            // Every batch of a step counts, even when its report trails the shards' replies.
            if (m.Step <= Cursor) Emit(new StepAction.CountMetrics(m.Partition, m.Step, m.Metrics));
            return;
        }
        Answered(m.Partition, m.Step, m.Node);
        if (m.Step == Cursor + 1 && _askedAhead == m.Step)
        {
            _early.Add(m);
            return;
        }
        if (m.Step <= Cursor) Emit(new StepAction.CountMetrics(m.Partition, m.Step, m.Metrics));
        if (m.Step != Cursor || !Sent.Add(m.Partition)) return;
        Computed(m.Node, m.Samples);
        if (Sent.Count == Partitions) AskAhead();
    }

    protected override void OnSkipped(PartitionEvents.StepSkipped m)
    {
        if (Reading) return;
        Answered(m.Partition, m.Step, m.Node);
        if (m.Step != Cursor && !Busy.ContainsKey(m.Partition) && !Sent.Contains(m.Partition)) Ask(m.Partition, Cursor);
    }

    protected override void AskOpenStep()
    {
        if (_askedAhead == Cursor)
        {
            PartitionEvents.GradientSent[] early = [.. _early];
            _early.Clear();
            foreach (var m in early) OnReported(m);
            return;
        }
        _early.Clear();
        for (var k = 0; k < Partitions; k++) Ask(k, Cursor);
    }

    protected override void AskAgain(int[] missing)
    {
        foreach (var k in missing.Length > 0 ? missing : Enumerable.Range(0, Partitions)) Ask(k, Cursor);
    }

    protected override void AskLost(int[] partitions)
    {
        foreach (var k in partitions) Ask(k, Cursor);
    }

    private void AskAhead()
    {
        var next = Cursor + 1;
        if (Schedule.IsBoundary(next)) return;
        _askedAhead = next;
        for (var k = 0; k < Partitions; k++) Ask(k, next);
    }
}
