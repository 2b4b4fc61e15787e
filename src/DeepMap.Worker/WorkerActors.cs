using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Tensors.Backends;
using DeepMap.Worker.Membership;
using DeepMap.Worker.Partitions;
using DeepMap.Worker.Weights;

namespace DeepMap.Worker;

/// <summary>
/// The worker's actors, the same in production and in tests: the partition region, the node's weight cache, its
/// announcement to the coordinator, and the watch that asks for a rejoin when the coordinator is gone.
/// </summary>
public static class WorkerActors
{
    public sealed class WeightCacheKey;

    public static AkkaConfigurationBuilder AddWorkerActors(this AkkaConfigurationBuilder builder, WorkerSettings settings, IBackend backend, RejoinRequest rejoin)
    {
        var device = new DeviceTurns();
        return builder
            .AddDeepMapNode(settings.Node, RegionNames.WorkerRole)
            .WithShardRegionProxy<ShardRegionKey>(RegionNames.ParameterServers, RegionNames.ParameterServerRole, new ShardMessageExtractor())
            .WithSingletonProxy<JobManagerKey>(RegionNames.JobManager, new ClusterSingletonOptions { Role = RegionNames.CoordinatorRole })
            .WithActors((system, registry) =>
            {
                registry.Register<WeightCacheKey>(system.ActorOf(Props.Create(() => new WeightCache(registry.Get<ShardRegionKey>())), "weight-cache"));
                system.ActorOf(Props.Create(() => new WorkerAnnouncer(registry.Get<JobManagerKey>(), backend.Name)), "announcer");
                system.ActorOf(Props.Create(() => new CoordinatorWatch(settings.RejoinAfter, rejoin)), "coordinator-watch");
            })
            .WithShardRegion<PartitionRegionKey>(RegionNames.Partitions,
                (_, registry, _) => _ => Props.Create(() => new DataShard(backend, device, registry.Get<ShardRegionKey>(), registry.Get<WeightCacheKey>(), settings.Straggle)),
                new PartitionMessageExtractor(), DeepMapNode.PartitionShards);
    }
}
