using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Coordinator.ParameterServer;

/// <summary>
/// What makes a parameter-server shard apply a step, one subclass per <see cref="ParameterServerStepping"/>: which slices it
/// keeps, and when the contributions it holds make a step, in the order they are summed.
/// </summary>
public abstract class ShardStepRule(int partitions, ContributionSet parts)
{
    public static ShardStepRule For(ParameterServerStepping stepping, int partitions, ContributionSet parts) => stepping switch
    {
        ParameterServerStepping.AllPartitions => new AllPartitionsRule(partitions, parts),
        ParameterServerStepping.NamedByTrainer => new NamedByTrainerRule(partitions, parts),
        ParameterServerStepping.EachContribution => new EachContributionRule(partitions, parts),
        _ => throw new ArgumentOutOfRangeException(nameof(stepping), stepping, "no such stepping"),
    };

    protected int Partitions => partitions;

    protected ContributionSet Parts => parts;

    /// <summary>Whether partition k's slice of a step is kept, the shard's weights being at <paramref name="version"/>.</summary>
    public abstract bool Keeps(int partition, long step, long version);

    /// <summary>The trainer named a step's members; why that does not fit, or null. Only the trainer-named rule takes it.</summary>
    public virtual string? Close(ParameterServerCommands.CloseStep close, long version) => null;

    /// <summary>
    /// The contributions that make the next step, in the order they are summed, taken out of the set; or null while
    /// it is not complete. <paramref name="partition"/> and <paramref name="step"/> name the slice that just arrived
    /// (−1 after a close).
    /// </summary>
    public abstract Contribution[]? TakeStep(long version, int partition, long step);

    /// <summary>Whether a step with no samples at all still moves the weights (an optimizer step with a zero gradient).</summary>
    public virtual bool StepsWithoutSamples => true;
}
