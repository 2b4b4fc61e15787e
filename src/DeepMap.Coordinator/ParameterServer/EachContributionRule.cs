namespace DeepMap.Coordinator.ParameterServer;

/// <summary>
/// The asynchronous modes: each partition's slice is a step of its own, applied as soon as it is complete, once per
/// partition and step however often it is sent.
/// </summary>
public sealed class EachContributionRule : ShardStepRule
{
    private readonly long[] _appliedThrough;

    public EachContributionRule(int partitions, ContributionSet parts)
        : base(partitions, parts) => _appliedThrough = [.. Enumerable.Repeat(-1L, partitions)];

    public override bool Keeps(int partition, long step, long version) => step > _appliedThrough[partition];

    public override Contribution[]? TakeStep(long version, int partition, long step)
    {
        if (partition < 0 || !Parts.IsComplete(partition, step)) return null;
        _appliedThrough[partition] = step;
        return [Parts.Take(partition, step)];
    }

    // A partition with no rows left in its epoch sends an empty contribution: alone, it is no reason to move.
    public override bool StepsWithoutSamples => false;
}
