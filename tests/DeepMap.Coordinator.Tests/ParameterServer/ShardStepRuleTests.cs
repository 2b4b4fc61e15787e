using DeepMap.Coordinator.ParameterServer;
using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Coordinator.Tests.ParameterServer;

public sealed class ShardStepRuleTests
{
    private const int Length = 3;

    private static ParameterServerCommands.GradientSlice Slice(int partition, long step, int samples = 4, float value = 1) =>
        new("job-1", 0, step, partition, samples, 0.5, 0, [value, value, value]);

    private static Contribution[]? Arrive(ShardStepRule rule, ContributionSet parts, ParameterServerCommands.GradientSlice slice, long version)
    {
        if (!rule.Keeps(slice.Partition, slice.Step, version)) return null;
        parts.Add(slice);
        return rule.TakeStep(version, slice.Partition, slice.Step);
    }

    private static float First(Contribution c) => c.Gradient!.Pieces().Single().Values[0];

    [Fact]
    public void Every_partition_makes_a_sync_step_in_partition_order_and_a_retry_of_an_applied_step_is_not_kept()
    {
        var parts = new ContributionSet(Length);
        var rule = ShardStepRule.For(ParameterServerStepping.AllPartitions, partitions: 2, parts);

        Assert.Null(Arrive(rule, parts, Slice(1, 0, value: 2), version: 0));
        Assert.Null(Arrive(rule, parts, Slice(1, 0, value: 9), version: 0)); // a duplicate: the first copy stays
        var step = Arrive(rule, parts, Slice(0, 0, value: 1), version: 0)!;

        Assert.Equal([1f, 2f], step.Select(First));
        Assert.False(rule.Keeps(0, 0, version: 1));
        Assert.False(rule.Keeps(0, 2, version: 1));
    }

    [Fact]
    public void A_left_out_partitions_part_is_kept_for_a_later_close_to_carry_until_it_is_too_old()
    {
        var parts = new ContributionSet(Length);
        var rule = ShardStepRule.For(ParameterServerStepping.NamedByTrainer, partitions: 2, parts);
        Arrive(rule, parts, Slice(0, 0, value: 1), version: 0);
        Assert.Null(rule.Close(new ParameterServerCommands.CloseStep("job-1", 0, 0, [0], []), version: 0));
        Assert.Single(rule.TakeStep(0, -1, -1)!);

        // Partition 1's part of step 0 comes late; step 1 carries it after its own members.
        Assert.True(rule.Keeps(1, 0, version: 1));
        Assert.False(rule.Keeps(0, 0, version: 1));
        Arrive(rule, parts, Slice(1, 0, value: 7), version: 1);
        Arrive(rule, parts, Slice(0, 1, value: 3), version: 1);
        Assert.Null(rule.Close(new ParameterServerCommands.CloseStep("job-1", 0, 1, [0], [new ParameterServerCommands.LatePart(1, 0)]), version: 1));
        Assert.Equal([3f, 7f], rule.TakeStep(1, -1, -1)!.Select(First));

        Assert.NotNull(rule.Close(new ParameterServerCommands.CloseStep("job-1", 0, 2, [0], [new ParameterServerCommands.LatePart(0, 1)]), version: 2));
        Assert.NotNull(rule.Close(new ParameterServerCommands.CloseStep("job-1", 0, 2, [0, 0], []), version: 2));
    }

    [Fact]
    public void Each_asynchronous_contribution_is_a_step_once_however_often_it_is_sent()
    {
        var parts = new ContributionSet(Length);
        var rule = ShardStepRule.For(ParameterServerStepping.EachContribution, partitions: 2, parts);

        Assert.Single(Arrive(rule, parts, Slice(1, 0), version: 5)!);
        Assert.Null(Arrive(rule, parts, Slice(1, 0), version: 6));
        Assert.Single(Arrive(rule, parts, Slice(1, 1), version: 6)!);
        Assert.Single(Arrive(rule, parts, Slice(0, 0), version: 7)!);
        Assert.False(rule.StepsWithoutSamples);
    }
}
