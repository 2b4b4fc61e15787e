using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// The Akka setup every DeepMap node shares: remoting with the same frame size everywhere, clustering with the
/// split-brain resolver on, sharding on the ddata state store, and the protocol serializer bound to every message.
/// </summary>
public static class DeepMapNode
{
    public static AkkaConfigurationBuilder AddDeepMapNode(this AkkaConfigurationBuilder builder, NodeSettings settings, params string[] roles)
    {
        var seeds = settings.Seeds.Select(s => $"akka.tcp://{RegionNames.SystemName}@{s}").ToArray();
        return builder
            .WithRemoting(new RemoteOptions { HostName = settings.Host, Port = settings.Port, MaxFrameSize = Chunking.MaximumFrameSize })
            .WithClustering(new ClusterOptions
            {
                Roles = roles,
                SeedNodes = seeds,
                SplitBrainResolver = SplitBrainResolverOption.Default,
            })
            .WithCustomSerializer("deepmap", [typeof(IDeepMapMessage)], system => new ProtocolSerializer(system))
            .AddHocon(
                """
                akka.cluster.sharding.state-store-mode = ddata
                akka.cluster.sharding.remember-entities = off
                akka.actor.serialization-settings.allow-unregistered-types = off
                akka.remote.dot-netty.tcp.send-buffer-size = 4194304b
                akka.remote.dot-netty.tcp.receive-buffer-size = 4194304b
                akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                """, HoconAddMode.Prepend);
    }

    public static ShardOptions PartitionShards => new() { Role = RegionNames.WorkerRole, StateStoreMode = StateStoreMode.DData };

    public static ShardOptions ParameterServerShards => new() { Role = RegionNames.ParameterServerRole, StateStoreMode = StateStoreMode.DData };
}
