using DeepMap.Coordinator.Training.Planning;
using static DeepMap.Coordinator.Tests.Training.Planning.Reports;

namespace DeepMap.Coordinator.Tests.Training.Planning;

public sealed class SyncStepPlannerTests
{
    // Two epochs of four steps, a checkpoint every 100: boundaries at steps 4 and 8.
    private static readonly StepSchedule Schedule = new(StepsPerEpoch: 4, Epochs: 2, CheckpointEvery: 100);

    private static SyncStepPlanner Planner(long cursor = 0) => new(Schedule, partitions: 2, shards: 2, cursor);

    [Fact]
    public void Start_asks_every_partition_for_the_cursor_step_and_arms_its_timer()
    {
        var actions = Planner(cursor: 2).Start();

        Assert.Equal([0, 1], actions.Asked(step: 2));
        Assert.Equal(2, actions.Single<StepAction.StartTimeout>().Step);
    }

    [Fact]
    public void Once_every_partition_has_sent_the_next_step_is_asked_ahead_and_opens_without_asking_again()
    {
        var planner = Planner();
        planner.Start();
        Assert.Empty(planner.Reported(Sent(0, 0)).Asked(step: 1));
        Assert.Equal([0, 1], planner.Reported(Sent(1, 0)).Asked(step: 1));

        planner.Stepped(Stepped(0, 0));
        var opened = planner.Stepped(Stepped(1, 0));

        Assert.Equal(new StepAction.StepDone(1, 0.5, 16), opened.Single<StepAction.StepDone>());
        Assert.Empty(opened.OfType<StepAction.AskPartition>());
        Assert.Equal(1, opened.Single<StepAction.StartTimeout>().Step);
        Assert.Equal(1, planner.Cursor);
    }

    [Fact]
    public void A_duplicate_report_counts_its_samples_once_and_asks_nothing_more()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        var again = planner.Reported(Sent(0, 0));

        Assert.Empty(again.OfType<StepAction.AskPartition>());
        Assert.Equal(8, planner.NodeSamples["node-0"]);
    }

    [Fact]
    public void A_report_of_the_step_asked_ahead_that_comes_before_it_opens_counts_when_it_opens()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        // Partition 0 computed step 1 before the trainer heard the last shard apply step 0.
        Assert.Empty(planner.Reported(Sent(0, 1)).OfType<StepAction.CountMetrics>());
        planner.Stepped(Stepped(0, 0));
        var opened = planner.Stepped(Stepped(1, 0));

        Assert.Equal(1, opened.Single<StepAction.CountMetrics>().Step);
        var asksAhead = planner.Reported(Sent(1, 1));
        Assert.Equal([0, 1], asksAhead.Asked(step: 2));
    }

    [Fact]
    public void The_last_step_of_an_epoch_is_not_asked_ahead_across_and_the_next_opens_after_the_state_is_read()
    {
        var planner = Planner(cursor: 3);
        planner.Start();
        planner.Reported(Sent(0, 3));
        Assert.Empty(planner.Reported(Sent(1, 3)).OfType<StepAction.AskPartition>());
        planner.Stepped(Stepped(0, 3));
        var ended = planner.Stepped(Stepped(1, 3));

        Assert.Equal(4, ended.Single<StepAction.ReadState>().Version);
        Assert.Empty(ended.OfType<StepAction.AskPartition>());
        Assert.Empty(planner.TimedOut(4));
        Assert.Equal([0, 1], planner.StateRead().Asked(step: 4));
    }

    [Fact]
    public void A_shard_that_steps_twice_or_for_another_step_does_not_close_the_step()
    {
        var planner = Planner();
        planner.Start();
        planner.Stepped(Stepped(0, 0));

        Assert.Empty(planner.Stepped(Stepped(0, 0)));
        Assert.Empty(planner.Stepped(Stepped(1, 5)));
        Assert.Equal(0, planner.Cursor);
    }

    [Fact]
    public void A_timeout_names_the_partitions_waited_for_with_their_last_node_and_asks_only_them()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));

        var actions = planner.TimedOut(0);

        Assert.Equal("step 0: waiting for partitions 1 (asked again)", actions.Single<StepAction.Waiting>().Reason);
        Assert.Equal([1], actions.Asked(step: 0));
        Assert.Empty(planner.TimedOut(3));
    }

    [Fact]
    public void A_timeout_with_every_part_sent_asks_every_partition_again()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        planner.Stepped(Stepped(0, 0));

        var actions = planner.TimedOut(0);

        Assert.Equal("step 0: waiting for parameter-server shards 1 (every partition asked again)", actions.Single<StepAction.Waiting>().Reason);
        Assert.Equal([0, 1], actions.Asked(step: 0));
    }

    [Fact]
    public void When_a_node_leaves_its_partitions_that_have_not_sent_are_asked_again_at_once()
    {
        var planner = new SyncStepPlanner(Schedule, partitions: 3, shards: 1, cursor: 0);
        planner.Start();
        planner.Reported(Sent(0, 0, node: "node-a"));
        planner.Reported(Sent(1, 0, node: "node-b"));
        planner.Reported(Sent(2, 0, node: "node-a"));
        planner.Stepped(Stepped(0, 0));
        planner.Reported(Sent(0, 1, node: "node-a"));

        Assert.Equal([2], planner.MemberLeft("node-a").Asked(step: 1));
        Assert.Empty(planner.MemberLeft("node-c"));
    }
}
