using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Transport;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// The Akka setup every DeepMap node shares: remoting with the same frame size everywhere, clustering with the
/// split-brain resolver on, sharding on the ddata state store, and the protocol serializer bound to every message;
/// optionally TLS on remoting; and the node's tensor data channel beside it.
/// </summary>
public static class DeepMapNode
{
    public static AkkaConfigurationBuilder AddDeepMapNode(this AkkaConfigurationBuilder builder, NodeSettings settings, params string[] roles)
    {
        // Remoting over TLS is another transport, and its addresses say so.
        var protocol = settings.Tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = settings.Seeds.Select(s => $"{protocol}://{RegionNames.SystemName}@{s}").ToArray();
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
        return builder
            .WithRemoting(remoting)
            .WithClustering(new ClusterOptions
            {
                Roles = roles,
                SeedNodes = seeds,
                SplitBrainResolver = SplitBrainResolverOption.Default,
            })
            .WithCustomSerializer("deepmap", [typeof(IDeepMapMessage)], system => new ProtocolSerializer(system))
            .WithActors((system, _) => TensorChannel.Start(system, settings))
            .AddHocon(
                """
                akka.cluster.sharding.state-store-mode = ddata
                akka.cluster.sharding.remember-entities = off
                akka.actor.serialization-settings.allow-unregistered-types = off
                akka.remote.dot-netty.tcp.send-buffer-size = 4194304b
                akka.remote.dot-netty.tcp.receive-buffer-size = 4194304b
                akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                """, HoconAddMode.Prepend)
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {settings.DownAfter.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}ms", HoconAddMode.Prepend);
    }

    public static ShardOptions PartitionShards => new() { Role = RegionNames.WorkerRole, StateStoreMode = StateStoreMode.DData };

    public static ShardOptions ParameterServerShards => new() { Role = RegionNames.ParameterServerRole, StateStoreMode = StateStoreMode.DData };
}
