using DeepMap.Protocol.Training;
using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// Steps in lockstep (consistency: sync): step t is open until every shard has applied it, which makes weight
/// version t + 1; then step t + 1 opens, unless t + 1 is a boundary, where the trainer first reads the state.
/// </summary>
public abstract class LockstepPlanner(StepSchedule schedule, int partitions, int shards, long cursor)
    : StepPlanner(schedule, partitions, shards, cursor)
{
    private double _loss;
    private long _samples;

    public override long Version => Cursor;

    public override long StepsDone => Cursor;

    /// <summary>Partitions whose part of the open step was sent.</summary>
    protected HashSet<int> Sent { get; } = [];

    /// <summary>Shards that applied the open step.</summary>
    protected HashSet<int> Applied { get; } = [];

    /// <summary>Between a boundary step's end and <see cref="StepPlanner.StateRead"/>: no step is open.</summary>
    protected bool Reading { get; private set; }

    protected override void OnStart() => OpenStep();

    protected override void OnStateRead()
    {
        Reading = false;
        OpenStep();
    }

    protected override void OnStepped(ParameterServerReplies.ShardStepped m)
    {
        if (Reading || m.Step != Cursor || (uint)m.Shard >= (uint)Shards || !Applied.Add(m.Shard)) return;
        // Every shard sums the same contributions: shard 0's loss and samples are the step's.
        if (m.Shard == 0) (_loss, _samples) = (m.Samples == 0 ? 0 : m.LossSum / m.Samples, m.Samples);
        if (Applied.Count < Shards) return;
        Cursor++;
        Emit(new StepAction.StepDone(Cursor, _loss, _samples));
        if (Schedule.IsBoundary(Cursor))
        {
            Reading = true;
            Emit(new StepAction.ReadState(Cursor));
            return;
        }
        OpenStep();
    }

    protected override void OnTimedOut(long step)
    {
        if (Reading || step != Cursor) return;
        var missing = Enumerable.Range(0, Partitions).Where(k => !Sent.Contains(k)).ToArray();
        Emit(new StepAction.Waiting(missing.Length > 0
            ? $"step {Cursor}: waiting for partitions {Describe(missing)} (asked again)"
            : $"step {Cursor}: waiting for parameter-server shards {string.Join(", ", Enumerable.Range(0, Shards).Where(s => !Applied.Contains(s)))} (every partition asked again)"));
        AskAgain(missing);
        Emit(new StepAction.StartTimeout(Cursor));
    }

    protected override void OnMemberLeft(string node)
    {
        if (Reading) return;
        int[] lost = [.. HostedOn(node).Where(k => !Sent.Contains(k))];
        if (lost.Length > 0) AskLost(lost);
    }

    /// <summary>These partitions' node left before they sent their part of the open step.</summary>
    protected abstract void AskLost(int[] partitions);

    /// <summary>
    /// The step timed out with these partitions' parts not sent (or none: every partition sent, yet a shard lacks a
    /// slice, lost with a node that left). Shards keep what they have, so asking again costs a recomputation, never a
    /// double count.
    /// </summary>
    protected abstract void AskAgain(int[] missing);

    /// <summary>Who is asked when a step opens.</summary>
    protected abstract void AskOpenStep();

    private void OpenStep()
    {
        Sent.Clear();
        Applied.Clear();
        AskOpenStep();
        Emit(new StepAction.StartTimeout(Cursor));
    }
}
