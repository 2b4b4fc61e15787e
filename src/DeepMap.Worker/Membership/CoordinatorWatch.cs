using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using DeepMap.Protocol.Messaging;
using static Akka.Cluster.ClusterEvent;

namespace DeepMap.Worker.Membership;

/// <summary>
/// Downs this node, asking for a rejoin, once no coordinator has been reachable for a while. A worker
/// left in a cluster whose coordinator died cannot serve the coordinator that replaces it (an Akka node joins one
/// cluster per life), so it starts a new life and joins through the seeds; its partitions are recomputed elsewhere.
/// </summary>
public sealed class CoordinatorWatch : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly HashSet<Address> _coordinators = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly TimeSpan _rejoinAfter;
    private bool _joined;

    private sealed record RejoinDue;

    public CoordinatorWatch(TimeSpan rejoinAfter, RejoinRequest rejoin)
    {
        _rejoinAfter = rejoinAfter;
        Receive<MemberUp>(m => Track(m.Member, up: true));
        Receive<MemberWeaklyUp>(m => Track(m.Member, up: true));
        Receive<MemberRemoved>(m => Track(m.Member, up: false));
        Receive<MemberExited>(m => Track(m.Member, up: false));
        Receive<UnreachableMember>(m =>
        {
            _unreachable.Add(m.Member.Address);
            Check();
        });
        Receive<ReachableMember>(m =>
        {
            _unreachable.Remove(m.Member.Address);
            Check();
        });
        Receive<IMemberEvent>(_ => { });
        Receive<RejoinDue>(_ =>
        {
            var reason = $"no coordinator reachable for {_rejoinAfter.TotalSeconds:0.#} s; leaving this cluster to join again through the seeds";
            _log.Warning(reason);
            rejoin.Request(reason);
            // Downing itself skips the partition hand-off and the leave, which wait for a coordinator that is gone.
            _cluster.Down(_cluster.SelfAddress);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        _cluster.Subscribe(Self, InitialStateAsEvents, typeof(IMemberEvent), typeof(UnreachableMember), typeof(ReachableMember));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Track(Member member, bool up)
    {
        if (!member.HasRole(RegionNames.CoordinatorRole)) return;
        if (up)
        {
            _coordinators.Add(member.Address);
            _joined = true;
        }
        else
        {
            _coordinators.Remove(member.Address);
            _unreachable.Remove(member.Address);
        }
        Check();
    }

    private void Check()
    {
        if (!_joined) return;
        if (_coordinators.Any(a => !_unreachable.Contains(a))) Timers.Cancel("rejoin");
        else if (!Timers.IsTimerActive("rejoin")) Timers.StartSingleTimer("rejoin", new RejoinDue(), _rejoinAfter);
    }
}
