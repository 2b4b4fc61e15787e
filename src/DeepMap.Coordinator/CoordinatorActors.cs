using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using DeepMap.Coordinator.Jobs;
using DeepMap.Coordinator.ParameterServer;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Backends;

namespace DeepMap.Coordinator;

/// <summary>
/// The coordinator's actors, the same in production and in tests: parameter-server shards (taking gradients from the
/// node's tensor data channel), a proxy to the workers' partitions, and the job manager singleton.
/// </summary>
public static class CoordinatorActors
{
    public static AkkaConfigurationBuilder AddCoordinatorActors(this AkkaConfigurationBuilder builder, CoordinatorSettings settings, IBackend backend) =>
        builder
            .AddDeepMapNode(settings.Node, RegionNames.CoordinatorRole, RegionNames.ParameterServerRole)
            .WithShardRegion<ParameterServerRegionKey>(RegionNames.ParameterServers, _ => Props.Create(() => new ParameterServerShard(backend)),
                new ParameterServerMessageExtractor(), DeepMapNode.ParameterServerShards)
            .WithActors((system, registry) => TensorChannel.Of(system).Deliver(TensorRecipient.ParameterServers, registry.Get<ParameterServerRegionKey>()))
            .WithShardRegionProxy<PartitionRegionKey>(RegionNames.Partitions, RegionNames.WorkerRole, new PartitionMessageExtractor())
            .WithSingleton<JobManagerKey>(RegionNames.JobManager,
                (_, registry, _) => Props.Create(() => new JobManager(settings, registry.Get<PartitionRegionKey>(), registry.Get<ParameterServerRegionKey>(), backend)),
                new ClusterSingletonOptions { Role = RegionNames.CoordinatorRole });
}
