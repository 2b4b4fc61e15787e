using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Backends;
using DeepMap.Worker.Membership;
using DeepMap.Worker.Partitions;
using DeepMap.Worker.Weights;

namespace DeepMap.Worker;

/// <summary>
/// The worker's actors, the same in production and in tests: the partition region, the node's weight cache (fed by
/// the node's tensor data channel), its
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
            .WithSingletonProxy<JobManagerKey>(RegionNames.JobManager, new ClusterSingletonOptions { Role = RegionNames.CoordinatorRole })
            .WithActors((system, registry) =>
            {
                var channel = TensorChannel.Of(system);
                var weights = system.ActorOf(Props.Create(() => new WeightCache(channel)), "weight-cache");
                channel.Deliver(TensorRecipient.WeightCache, weights);
                registry.Register<WeightCacheKey>(weights);
                system.ActorOf(Props.Create(() => new WorkerAnnouncer(registry.Get<JobManagerKey>(), backend.Name)), "announcer");
                system.ActorOf(Props.Create(() => new CoordinatorWatch(settings.RejoinAfter, rejoin)), "coordinator-watch");
            })
            .WithShardRegion<PartitionRegionKey>(RegionNames.Partitions,
                (system, registry, _) => _ => Props.Create(() => new PartitionActor(backend, device, TensorChannel.Of(system), registry.Get<WeightCacheKey>(), settings.Straggle)),
                new PartitionMessageExtractor(), DeepMapNode.PartitionShards);
    }
}
