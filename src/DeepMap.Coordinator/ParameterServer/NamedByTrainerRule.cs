using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Coordinator.ParameterServer;

/// <summary>
/// Synchronous steps with backup partitions: the trainer's <see cref="ParameterServerCommands.CloseStep"/> names the partitions
/// that make step t, the same set on every shard, and the late parts of the last
/// <see cref="ParameterServerCommands.CloseStep.LateSteps"/> steps it carries. A left-out partition's part of a recent step is
/// kept for the trainer to carry into a later one.
/// </summary>
public sealed class NamedByTrainerRule(int partitions, ContributionSet parts) : ShardStepRule(partitions, parts)
{
    private readonly Dictionary<long, int[]> _recentMembers = [];
    private ParameterServerCommands.CloseStep? _closing;

    public override bool Keeps(int partition, long step, long version) =>
        step == version || (_recentMembers.TryGetValue(step, out var members) && !members.Contains(partition));

    public override string? Close(ParameterServerCommands.CloseStep m, long version)
    {
        if (m.Step != version) return null;
        if (m.Partitions.Length == 0 || m.Partitions.Any(k => (uint)k >= (uint)Partitions) || m.Partitions.Distinct().Count() != m.Partitions.Length)
            return $"closing step {m.Step} with partitions [{string.Join(", ", m.Partitions)}] of {Partitions}";
        if (m.Carried.Any(p => !_recentMembers.TryGetValue(p.Step, out var members) || members.Contains(p.Partition) || (uint)p.Partition >= (uint)Partitions)
            || m.Carried.Distinct().Count() != m.Carried.Length)
            return $"closing step {m.Step} carrying [{string.Join(", ", m.Carried.Select(p => $"{p.Partition}@{p.Step}"))}], parts no recent step left out";
        _closing = m;
        return null;
    }

    public override Contribution[]? TakeStep(long version, int partition, long step)
    {
        if (_closing is not { } close || close.Step != version || close.Partitions.Any(k => !Parts.IsComplete(k, version))
            || close.Carried.Any(p => !Parts.IsComplete(p.Partition, p.Step))) return null;
        // Members in partition order, then the carried parts by step and partition: the same sum on every shard.
        Contribution[] included =
        [
            .. close.Partitions.Order().Select(k => Parts.Take(k, version)),
            .. close.Carried.OrderBy(p => p.Step).ThenBy(p => p.Partition).Select(p => Parts.Take(p.Partition, p.Step)),
        ];
        // The partitions left out may still send their part of this step: a later step may carry it.
        _recentMembers[version] = close.Partitions;
        var oldest = version + 1 - ParameterServerCommands.CloseStep.LateSteps;
        foreach (var old in _recentMembers.Keys.Where(s => s < oldest).ToArray()) _recentMembers.Remove(old);
        Parts.DropBefore(oldest);
        _closing = null;
        return included;
    }
}
