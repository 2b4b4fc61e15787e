using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Remote.Hosting;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// The Akka setup every DeepMap node shares: remoting with the same frame size everywhere, clustering with the
/// split-brain resolver on, sharding on the ddata state store, and the protocol serializer bound to every message;
/// optionally TLS on remoting and, on Kubernetes, Akka.Management's cluster bootstrap instead of seed nodes.
/// </summary>
public static class DeepMapNode
{
    public static AkkaConfigurationBuilder AddDeepMapNode(this AkkaConfigurationBuilder builder, NodeSettings settings, params string[] roles)
    {
        // With Kubernetes discovery the bootstrap finds the seeds; a node that named itself would form a cluster alone.
        // Remoting over TLS is another transport, and its addresses say so.
        var protocol = settings.Tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = settings.Discovery.UsesKubernetes ? [] : settings.Seeds.Select(s => $"{protocol}://{RegionNames.SystemName}@{s}").ToArray();
        var remoting = new RemoteOptions { HostName = settings.Host, Port = settings.Port, MaxFrameSize = Chunking.MaximumFrameSize };
        if (settings.BindHost is { } bind)
        {
            remoting.HostName = bind;
            remoting.PublicHostName = settings.Host;
        }
        if (settings.Tls is { } tls)
        {
            remoting.EnableSsl = true;
            remoting.Ssl = new SslOptions
            {
                X509Certificate = tls.Certificate,
                RequireMutualAuthentication = true,
                ValidateCertificateHostname = false,
                CustomValidator = (certificate, _, _, errors, _) => tls.Accepts(certificate, errors),
            };
        }
        if (settings.Discovery.UsesKubernetes) builder.AddKubernetesBootstrap(settings);
        return builder
            .WithRemoting(remoting)
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

    /// <summary>
    /// Akka.Management's HTTP endpoint on the management port, and the cluster bootstrap, which lists the pods matching
    /// the label selector through the Kubernetes API, asks each one's management port for the cluster it belongs to,
    /// and joins it; when none belongs to one yet, the pod with the lowest address forms it.
    /// </summary>
    private static void AddKubernetesBootstrap(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        var discovery = settings.Discovery;
        builder
            .WithAkkaManagement(management =>
            {
                management.HostName = settings.Host;
                management.Port = discovery.ManagementPort;
            })
            .WithClusterBootstrap(bootstrap =>
            {
                bootstrap.ContactPointDiscovery.ServiceName = RegionNames.SystemName;
                bootstrap.ContactPointDiscovery.PortName = DiscoverySettings.ManagementPortName;
                bootstrap.ContactPointDiscovery.RequiredContactPointsNr = discovery.ContactPoints;
            }, autoStart: true)
            .WithKubernetesDiscovery(kubernetes =>
            {
                kubernetes.PodLabelSelector = discovery.Selector;
                if (discovery.Namespace is { } ns) kubernetes.PodNamespace = ns;
            });
    }

    public static ShardOptions PartitionShards => new() { Role = RegionNames.WorkerRole, StateStoreMode = StateStoreMode.DData };

    public static ShardOptions ParameterServerShards => new() { Role = RegionNames.ParameterServerRole, StateStoreMode = StateStoreMode.DData };
}
