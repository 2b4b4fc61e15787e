using Akka.Actor;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Worker.Weights;

/// <summary>
/// One per worker node: the latest weights of each job, pulled once from the parameter-server shards however many of
/// the job's partitions this node hosts.
/// </summary>
public sealed class WeightCache : ReceiveActor, IWithTimers
{
    private readonly IActorRef _shards;
    private readonly Dictionary<string, (long Version, float[] Values)> _latest = [];
    private readonly Dictionary<(string Job, long Version), Pending> _pending = [];

    /// <summary>Asks for a job's weights at a version; answered with <see cref="Weights"/> (local only, never serialized).</summary>
    public sealed record GetWeights(PartitionSetup Setup, long Version);

    public sealed record Weights(string JobId, long Version, float[] Values);

    /// <summary>The shards have moved past that version for good: the step that wanted it closed without its asker.</summary>
    public sealed record WeightsGone(string JobId, long Version);

    public sealed record Forget(string JobId);

    private sealed record Retry(string JobId, long Version);

    private sealed class Pending(WeightsAssembly assembly, int[] offsets)
    {
        public WeightsAssembly Assembly { get; } = assembly;

        public int[] Offsets { get; } = offsets;

        public List<IActorRef> Waiting { get; } = [];
    }

    public WeightCache(IActorRef shards)
    {
        _shards = shards;
        Receive<GetWeights>(Request);
        Receive<ShardReplies.WeightsChunk>(Arrived);
        Receive<ShardReplies.WeightsUnavailable>(Unavailable);
        Receive<Retry>(m =>
        {
            if (_pending.ContainsKey((m.JobId, m.Version))) Fetch(m.JobId, m.Version, _pending[(m.JobId, m.Version)].Offsets.Length - 1);
        });
        Receive<Forget>(m =>
        {
            _latest.Remove(m.JobId);
            foreach (var key in _pending.Keys.Where(k => k.Job == m.JobId).ToArray()) _pending.Remove(key);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Request(GetWeights m)
    {
        var job = m.Setup.JobId;
        if (_latest.TryGetValue(job, out var cached) && cached.Version == m.Version)
        {
            Sender.Tell(new Weights(job, m.Version, cached.Values));
            return;
        }
        if (!_pending.TryGetValue((job, m.Version), out var pending))
        {
            pending = new Pending(new WeightsAssembly(m.Setup.ShardOffsets, m.Version), m.Setup.ShardOffsets);
            _pending[(job, m.Version)] = pending;
            Fetch(job, m.Version, m.Setup.Shards);
        }
        pending.Waiting.Add(Sender);
    }

    private void Unavailable(ShardReplies.WeightsUnavailable m)
    {
        if (m.Current <= m.Requested)
        {
            Timers.StartSingleTimer($"{m.JobId}/{m.Requested}", new Retry(m.JobId, m.Requested), TimeSpan.FromMilliseconds(50));
            return;
        }
        if (!_pending.Remove((m.JobId, m.Requested), out var pending)) return;
        foreach (var waiter in pending.Waiting) waiter.Tell(new WeightsGone(m.JobId, m.Requested));
    }

    private void Fetch(string job, long version, int shards)
    {
        for (var s = 0; s < shards; s++) _shards.Tell(new ShardCommands.GetWeights(job, s, version));
    }

    /// <summary>A chunk counts for the request of its version and for a request of the latest weights.</summary>
    private void Arrived(ShardReplies.WeightsChunk m)
    {
        foreach (var version in (ReadOnlySpan<long>)[m.Version, ShardCommands.GetWeights.Latest])
        {
            if (!_pending.TryGetValue((m.JobId, version), out var pending)) continue;
            pending.Assembly.Add(m);
            if (!pending.Assembly.IsComplete) continue;
            _pending.Remove((m.JobId, version));
            var values = pending.Assembly.Values();
            if (version != ShardCommands.GetWeights.Latest && (!_latest.TryGetValue(m.JobId, out var current) || current.Version < version))
                _latest[m.JobId] = (version, values);
            foreach (var waiter in pending.Waiting) waiter.Tell(new Weights(m.JobId, version, values));
        }
    }
}
