using Akka.Actor;
using Akka.Cluster;
using DeepMap.Protocol.Cluster;

namespace DeepMap.Worker.Partitions;

/// <summary>Tells the job manager this worker's device, every few seconds until it is acknowledged.</summary>
public sealed class WorkerAnnouncer : ReceiveActor, IWithTimers
{
    private sealed record Announce;

    public WorkerAnnouncer(IActorRef jobManager, string device)
    {
        var address = Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<Announce>(_ => jobManager.Tell(new WorkerEvents.WorkerUp(address, device)));
        Receive<WorkerEvents.WorkerAcknowledged>(_ => Timers.Cancel("announce"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("announce", new Announce(), TimeSpan.Zero, TimeSpan.FromSeconds(3));
}
