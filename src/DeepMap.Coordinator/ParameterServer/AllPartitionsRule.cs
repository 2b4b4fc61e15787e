namespace DeepMap.Coordinator.ParameterServer;

/// <summary>Synchronous steps: every partition's slice of step t, summed in partition order, makes version t + 1.</summary>
public sealed class AllPartitionsRule(int partitions, ContributionSet parts) : ShardStepRule(partitions, parts)
{
    // Anything late is a retry of a step already applied; one ahead was not asked for.
    public override bool Keeps(int partition, long step, long version) => step == version;

    public override Contribution[]? TakeStep(long version, int partition, long step)
    {
        for (var k = 0; k < Partitions; k++)
            if (!Parts.IsComplete(k, version)) return null;
        return [.. Enumerable.Range(0, Partitions).Select(k => Parts.Take(k, version))];
    }
}
