using Akka.Actor;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;

namespace DeepMap.Worker.Weights;

/// <summary>
/// One per worker node: the latest weights of each job, pulled once from the parameter-server shards however many of
/// the job's partitions this node hosts. Requests and answers travel on the tensor data channel.
/// </summary>
public sealed class WeightCache : ReceiveActor, IWithTimers
{
    private readonly TensorChannel _channel;
    private readonly Dictionary<string, WeightsAssembly> _latest = [];
    private readonly Dictionary<(string Job, long Version), Pending> _pending = [];

    /// <summary>Asks for a job's weights at a version; answered with <see cref="Weights"/> (local only, never serialized).</summary>
    public sealed record GetWeights(PartitionSetup Setup, long Version);

    /// <summary>Complete weights: read-only, shared by every partition of the job on this node; the receiver releases them when done.</summary>
    public sealed record Weights(string JobId, long Version, WeightsAssembly Values);

    /// <summary>The shards have moved past that version for good: the step that wanted it closed without its asker.</summary>
    public sealed record WeightsGone(string JobId, long Version);

    public sealed record Forget(string JobId);

    private sealed record Retry(string JobId, long Version);

    // A shard holds a request for its next version until it has it, so an answer can take a step; one still missing
    // after this was lost (a coordinator that stopped, a dropped connection) and is asked again by the next request.
    private static readonly TimeSpan RefetchAfter = TimeSpan.FromSeconds(2);

    private sealed class Pending(WeightsAssembly assembly, PartitionSetup setup)
    {
        public WeightsAssembly Assembly { get; } = assembly;

        /// <summary>The latest asker's: a restarted coordinator's shards listen at new endpoints.</summary>
        public PartitionSetup Setup { get; set; } = setup;

        public List<IActorRef> Waiting { get; } = [];

        public long FetchedAt { get; set; }
    }

    public WeightCache(TensorChannel channel)
    {
        _channel = channel;
        Receive<GetWeights>(Request);
        Receive<ParameterServerReplies.WeightsChunk>(Arrived);
        Receive<ParameterServerReplies.WeightsUnavailable>(Unavailable);
        Receive<Retry>(m =>
        {
            if (_pending.TryGetValue((m.JobId, m.Version), out var pending)) Fetch(pending, m.Version);
        });
        Receive<Forget>(m =>
        {
            if (_latest.Remove(m.JobId, out var latest)) latest.Release();
            foreach (var key in _pending.Keys.Where(k => k.Job == m.JobId).ToArray()) _pending.Remove(key);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Request(GetWeights m)
    {
        var job = m.Setup.JobId;
        if (_latest.TryGetValue(job, out var cached) && cached.Version == m.Version)
        {
            Sender.Tell(new Weights(job, m.Version, cached.Retain()));
            return;
        }
        if (!_pending.TryGetValue((job, m.Version), out var pending))
        {
            pending = new Pending(new WeightsAssembly(m.Setup.ShardOffsets, m.Version), m.Setup);
            _pending[(job, m.Version)] = pending;
            Fetch(pending, m.Version);
        }
        else if (Environment.TickCount64 - pending.FetchedAt > RefetchAfter.TotalMilliseconds)
        {
            pending.Setup = m.Setup;
            Fetch(pending, m.Version);
        }
        pending.Waiting.Add(Sender);
    }

    private void Unavailable(ParameterServerReplies.WeightsUnavailable m)
    {
        if (m.Current <= m.Requested)
        {
            Timers.StartSingleTimer($"{m.JobId}/{m.Requested}", new Retry(m.JobId, m.Requested), TimeSpan.FromMilliseconds(50));
            return;
        }
        if (!_pending.Remove((m.JobId, m.Requested), out var pending)) return;
        foreach (var waiter in pending.Waiting) waiter.Tell(new WeightsGone(m.JobId, m.Requested));
    }

    private void Fetch(Pending pending, long version)
    {
        pending.FetchedAt = Environment.TickCount64;
        var setup = pending.Setup;
        for (var s = 0; s < setup.Shards; s++)
            _channel.Send(setup.ShardEndpoints[s], TensorRecipient.ParameterServers,
                new ParameterServerCommands.GetWeights(setup.JobId, s, version, _channel.Endpoint, setup.Compression));
    }

    /// <summary>A chunk counts for the request of its version and for a request of the latest weights (each its own array: an assembly owns its chunks).</summary>
    private void Arrived(ParameterServerReplies.WeightsChunk m)
    {
        var adopted = false;
        foreach (var version in (ReadOnlySpan<long>)[m.Version, ParameterServerCommands.GetWeights.Latest])
        {
            if (!_pending.TryGetValue((m.JobId, version), out var pending)) continue;
            // Only a second assembly wanting the same chunk needs a copy of its array.
            pending.Assembly.Add(adopted ? m with { Values = [.. m.Values] } : m);
            adopted = true;
            if (!pending.Assembly.IsComplete) continue;
            _pending.Remove((m.JobId, version));
            if (version != ParameterServerCommands.GetWeights.Latest && (!_latest.TryGetValue(m.JobId, out var current) || current.Version < version))
            {
                current?.Release();
                _latest[m.JobId] = pending.Assembly.Retain();
            }
            foreach (var _ in pending.Waiting) pending.Assembly.Retain();
            foreach (var waiter in pending.Waiting) waiter.Tell(new Weights(m.JobId, version, pending.Assembly));
        }
    }
}
