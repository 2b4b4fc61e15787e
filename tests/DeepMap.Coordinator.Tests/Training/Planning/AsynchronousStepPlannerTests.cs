using DeepMap.Coordinator.Training.Planning;
using static DeepMap.Coordinator.Tests.Training.Planning.Reports;

namespace DeepMap.Coordinator.Tests.Training.Planning;

public sealed class AsynchronousStepPlannerTests
{
    private static readonly StepSchedule Schedule = new(StepsPerEpoch: 4, Epochs: 2, CheckpointEvery: 100);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static AsynchronousStepPlanner Planner(int? staleness, ManualClock? clock = null, int shards = 1) =>
        new(Schedule, partitions: 2, shards, cursor: 0, done: [0, 0], staleness, Timeout, clock ?? new ManualClock());

    [Fact]
    public void Bounded_staleness_holds_a_fast_partition_back_until_the_slowest_catches_up()
    {
        var planner = Planner(staleness: 1);
        Assert.Equal([0, 1], planner.Start().Asked(step: 0));
        Assert.Equal([0], planner.Reported(Sent(0, 0)).Asked(step: 1));

        // Partition 0 is one step ahead of the slowest: the bound lets it go no further.
        Assert.Empty(planner.Reported(Sent(0, 1)).OfType<StepAction.AskPartition>());
        var caughtUp = planner.Reported(Sent(1, 0));

        Assert.Equal([0], caughtUp.Asked(step: 2));
        Assert.Equal([1], caughtUp.Asked(step: 1));
        Assert.Equal(1, planner.Cursor);
    }

    [Fact]
    public void Without_a_bound_a_fast_partition_runs_ahead()
    {
        var planner = Planner(staleness: null);
        planner.Start();
        planner.Reported(Sent(0, 0));

        Assert.Equal([0], planner.Reported(Sent(0, 1)).Asked(step: 2));
    }

    [Fact]
    public void A_repeated_report_is_counted_once()
    {
        var planner = Planner(staleness: null);
        planner.Start();
        Assert.Single(planner.Reported(Sent(0, 0)).OfType<StepAction.CountMetrics>());

        Assert.Empty(planner.Reported(Sent(0, 0)).OfType<StepAction.CountMetrics>());
        Assert.Equal(new long[] { 1, 0 }, planner.PartitionSteps);
        Assert.Equal(8, planner.NodeSamples["node-0"]);
    }

    [Fact]
    public void At_an_epoch_end_nobody_is_asked_and_the_state_is_read_once_every_contribution_is_applied()
    {
        var planner = Planner(staleness: 0, shards: 2);
        planner.Start();
        for (var step = 0; step < 3; step++)
        {
            planner.Reported(Sent(0, step));
            planner.Reported(Sent(1, step));
        }
        planner.Reported(Sent(0, 3));
        var last = planner.Reported(Sent(1, 3));
        Assert.Equal(4, planner.Cursor);
        Assert.Empty(last.OfType<StepAction.AskPartition>());

        // 8 contributions sent; shard 1 has applied all, shard 0 all but one.
        for (var i = 0; i < 8; i++) Assert.Empty(planner.Stepped(Stepped(1, i)).OfType<StepAction.ReadState>());
        for (var i = 0; i < 7; i++) Assert.Empty(planner.Stepped(Stepped(0, i)).OfType<StepAction.ReadState>());
        Assert.Equal(8, planner.Stepped(Stepped(0, 7)).Single<StepAction.ReadState>().Version);

        Assert.Equal([0, 1], planner.StateRead().Asked(step: 4));
    }

    [Fact]
    public void Every_partitions_worth_of_contributions_makes_one_steps_loss()
    {
        var planner = Planner(staleness: null);
        planner.Start();

        Assert.Empty(planner.Stepped(Stepped(0, 0, lossSum: 4, samples: 8)).OfType<StepAction.StepDone>());
        var done = planner.Stepped(Stepped(0, 1, lossSum: 12, samples: 8)).Single<StepAction.StepDone>();

        Assert.Equal(1.0, done.Loss);
        Assert.Equal(16, done.Samples);
    }

    [Fact]
    public void A_partition_that_has_not_answered_within_the_step_timeout_is_asked_again_and_one_asked_since_is_not()
    {
        var clock = new ManualClock();
        var planner = Planner(staleness: null, clock);
        planner.Start();
        clock.Advance(Timeout / 2);
        planner.Reported(Sent(0, 0));
        clock.Advance(Timeout / 2);

        var actions = planner.TimedOut(0);

        Assert.Equal("waiting for partitions 1 (asked again)", actions.Single<StepAction.Waiting>().Reason);
        Assert.Equal([1], actions.Asked(step: 0));
        Assert.Empty(actions.Asked(step: 1));
        Assert.Single(actions.OfType<StepAction.StartTimeout>());
    }

    [Fact]
    public void When_a_node_leaves_the_step_its_busy_partition_was_computing_is_asked_again()
    {
        var planner = Planner(staleness: null);
        planner.Start();
        planner.Reported(Sent(0, 0, node: "node-a"));
        planner.Reported(Sent(1, 0, node: "node-b"));
        planner.Reported(Sent(1, 1, node: "node-b"));

        var actions = planner.MemberLeft("node-b");

        Assert.Equal([1], actions.Asked(step: 2));
        Assert.Empty(actions.Asked(step: 1));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
