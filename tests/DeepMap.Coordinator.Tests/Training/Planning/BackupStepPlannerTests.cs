using DeepMap.Coordinator.Training.Planning;
using DeepMap.Protocol.ParameterServer;
using static DeepMap.Coordinator.Tests.Training.Planning.Reports;

namespace DeepMap.Coordinator.Tests.Training.Planning;

public sealed class BackupStepPlannerTests
{
    private static readonly StepSchedule Schedule = new(StepsPerEpoch: 10, Epochs: 1, CheckpointEvery: 5);

    // Three partitions, one of them a backup: the first two parts make a step.
    private static BackupStepPlanner Planner(long cursor = 0) => new(Schedule, partitions: 3, shards: 1, cursor, backup: 1);

    private static IReadOnlyList<StepAction> Finish(BackupStepPlanner planner, long step) => planner.Stepped(Stepped(0, step));

    [Fact]
    public void The_first_parts_to_arrive_close_the_step_and_a_straggler_is_counted_against_the_node_it_was_last_on()
    {
        var planner = Planner();
        planner.Start();
        Assert.Empty(planner.Reported(Sent(2, 0)).OfType<StepAction.CloseStep>());
        var close = planner.Reported(Sent(1, 0)).Single<StepAction.CloseStep>();
        Assert.Equal([1, 2], close.Partitions);
        Assert.Empty(close.Carried);
        Assert.Empty(planner.NodeLeftOut); // partition 0 has not reported from any node yet

        Finish(planner, 0);
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(2, 1));
        Assert.Equal([0, 2], planner.Reported(Sent(0, 1)).Single<StepAction.CloseStep>().Partitions);
        Assert.Equal(new Dictionary<string, long> { ["node-1"] = 1 }, planner.NodeLeftOut);
    }

    [Fact]
    public void A_straggler_busy_with_a_closed_step_is_not_asked_for_the_next_until_it_reports_and_its_late_part_is_carried()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        var opened = Finish(planner, 0);
        Assert.Equal([0, 1], opened.Asked(step: 1));

        // Partition 2's part of step 0 arrives late: it is asked for step 1 now, and the next close carries its part.
        Assert.Equal([2], planner.Reported(Sent(2, 0)).Asked(step: 1));
        planner.Reported(Sent(0, 1));
        var close = planner.Reported(Sent(2, 1)).Single<StepAction.CloseStep>();

        Assert.Equal([0, 2], close.Partitions);
        Assert.Equal([new ParameterServerCommands.LatePart(2, 0)], close.Carried);
        Assert.Equal(16, planner.NodeSamples["node-2"]);
    }

    [Fact]
    public void A_late_part_that_arrives_while_the_state_is_read_is_still_carried_and_its_partition_asked_when_the_step_opens()
    {
        var planner = Planner(cursor: 4);
        planner.Start();
        planner.Reported(Sent(0, 4));
        planner.Reported(Sent(1, 4));
        Assert.IsType<StepAction.ReadState>(Finish(planner, 4)[^1]);

        Assert.Empty(planner.Reported(Sent(2, 4)).OfType<StepAction.AskPartition>());
        Assert.Equal([0, 1, 2], planner.StateRead().Asked(step: 5));
        planner.Reported(Sent(1, 5));
        Assert.Equal([new ParameterServerCommands.LatePart(2, 4)], planner.Reported(Sent(2, 5)).Single<StepAction.CloseStep>().Carried);
    }

    [Fact]
    public void A_late_part_too_old_for_the_shards_to_keep_is_not_carried()
    {
        var planner = Planner();
        planner.Start();
        for (var step = 0; step <= ParameterServerCommands.CloseStep.LateSteps; step++)
        {
            planner.Reported(Sent(0, step));
            planner.Reported(Sent(1, step));
            if (Finish(planner, step)[^1] is StepAction.ReadState) planner.StateRead();
        }
        // Step 0's part comes after the shards dropped it: not carried (and never asked of the shards).
        planner.Reported(Sent(2, 0));
        planner.Reported(Sent(0, ParameterServerCommands.CloseStep.LateSteps + 1));
        Assert.Empty(planner.Reported(Sent(2, ParameterServerCommands.CloseStep.LateSteps + 1)).Single<StepAction.CloseStep>().Carried);
    }

    [Fact]
    public void A_restarted_partition_that_dropped_a_closed_step_is_asked_for_the_open_one()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        Finish(planner, 0);

        Assert.Equal([2], planner.Skipped(Skipped(2, 0, node: "node-9")).Asked(step: 1));
        Assert.Empty(planner.Skipped(Skipped(2, 0)).OfType<StepAction.AskPartition>());
    }

    [Fact]
    public void A_timeout_after_a_close_that_carried_a_part_closes_again_without_it_and_asks_the_members()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        Finish(planner, 0);
        planner.Reported(Sent(2, 0));
        planner.Reported(Sent(0, 1));
        planner.Reported(Sent(2, 1));

        var actions = planner.TimedOut(1);

        var reclose = actions.Single<StepAction.CloseStep>();
        Assert.Equal([0, 2], reclose.Partitions);
        Assert.Empty(reclose.Carried);
        Assert.Equal([0, 2], actions.Asked(step: 1));
        Assert.Empty(planner.TimedOut(1).OfType<StepAction.CloseStep>());
    }

    [Fact]
    public void When_a_node_leaves_a_partition_busy_there_with_an_old_step_is_asked_for_the_open_one_unless_it_closed()
    {
        var planner = Planner();
        planner.Start();
        planner.Reported(Sent(0, 0));
        planner.Reported(Sent(1, 0));
        planner.Skipped(Skipped(2, 5, node: "node-x")); // its last node
        Finish(planner, 0);

        Assert.Equal([2], planner.MemberLeft("node-x").Asked(step: 1));
        planner.Reported(Sent(0, 1));
        planner.Reported(Sent(1, 1));
        Assert.Empty(planner.MemberLeft("node-x"));
    }
}
