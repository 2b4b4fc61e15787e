using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Tests.Messaging;
using DeepMap.Protocol.Transport;

namespace DeepMap.Protocol.Tests.Transport;

/// <summary>Two nodes' tensor channels on loopback, each in an actor system of its own as on real nodes.</summary>
public sealed class TensorChannelTests() : TestKit(AkkaFixture.SerializerHocon)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<ActorSystem> _others = [];

    private static NodeSettings Node(TlsSettings? tls = null) => new([], "127.0.0.1", 0, "cpu", 1) { Tls = tls };

    private ActorSystem Other()
    {
        var system = ActorSystem.Create("other", AkkaFixture.SerializerHocon);
        _others.Add(system);
        return system;
    }

    /// <summary>A second node whose channel hands what it gets for the parameter servers to a probe.</summary>
    private (TensorChannel Channel, TestProbe Probe) Receiver(TlsSettings? tls = null)
    {
        var other = Other();
        var channel = TensorChannel.Start(other, Node(tls));
        var probe = CreateTestProbe(other);
        channel.Deliver(TensorRecipient.ParameterServers, probe.Ref);
        return (channel, probe);
    }

    private static ParameterServerCommands.GradientSlice Slice(long step, int chunk, float[] values) => new("job-1", 0, step, 2, 64, 0.25, chunk, values);

    [Fact]
    public void Messages_reach_the_recipient_on_the_other_node_in_order_and_intact()
    {
        var sender = TensorChannel.Start(Sys, Node());
        var (receiver, probe) = Receiver();
        var big = Enumerable.Range(0, Chunking.ChunkFloats).Select(i => i * 0.5f).ToArray();

        for (var step = 0; step < 50; step++) sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(step, 0, [step, -0f, float.NaN]));
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(50, 0, [.. big]));
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, new ParameterServerCommands.GetWeights("job-1", 0, 51, sender.Endpoint, WireEncoding.Float32));

        for (var step = 0; step < 50; step++)
        {
            var slice = probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience);
            Assert.Equal(step, slice.Step);
            MessageAssert.BitsEqual([step, -0f, float.NaN], slice.Values);
        }
        MessageAssert.BitsEqual(big, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Values);
        Assert.Equal(sender.Endpoint, probe.ExpectMsg<ParameterServerCommands.GetWeights>(Patience).ReplyTo);
    }

    [Fact]
    public void Garbage_on_the_channel_closes_that_connection_and_the_node_serves_the_next()
    {
        var (receiver, probe) = Receiver();
        var port = int.Parse(receiver.Endpoint.Split(':')[1]);

        using (var rogue = new TcpClient("127.0.0.1", port))
        {
            rogue.GetStream().Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8);
            // The channel hangs up on it.
            rogue.ReceiveTimeout = (int)Patience.TotalMilliseconds;
            Assert.Equal(0, rogue.GetStream().Read(new byte[16]));
        }
        var sender = TensorChannel.Start(Sys, Node());
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(1, 0, [1, 2, 3]));

        Assert.Equal(1, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
    }

    [Fact]
    public void A_frame_for_a_recipient_the_node_does_not_have_is_dropped_and_the_connection_lives()
    {
        var sender = TensorChannel.Start(Sys, Node());
        var (receiver, probe) = Receiver();

        sender.Send(receiver.Endpoint, TensorRecipient.WeightCache, new ParameterServerReplies.WeightsChunk("job-1", 0, 1, 0, [1]));
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(2, 0, [2]));

        Assert.Equal(2, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_peer_that_cannot_be_reached_costs_its_messages_and_nothing_else()
    {
        var sender = TensorChannel.Start(Sys, Node());
        var (receiver, probe) = Receiver();
        using var closed = new TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var nobody = $"127.0.0.1:{((System.Net.IPEndPoint)closed.LocalEndpoint).Port}";
        closed.Stop();

        sender.Send(nobody, TensorRecipient.ParameterServers, Slice(1, 0, [1]));
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(2, 0, [2]));

        Assert.Equal(2, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
    }

    [Fact]
    public void With_TLS_only_a_node_with_the_cluster_certificate_is_heard()
    {
        var cluster = SelfSigned("CN=deepmap-cluster");
        var (receiver, probe) = Receiver(new TlsSettings("cluster.pfx", cluster));
        var stranger = TensorChannel.Start(Other(), Node(new TlsSettings("stranger.pfx", SelfSigned("CN=stranger"))));
        var member = TensorChannel.Start(Sys, Node(new TlsSettings("cluster.pfx", cluster)));

        stranger.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(1, 0, [1]));
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        member.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(2, 0, [2]));

        Assert.Equal(2, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_idle_connection_closes_and_the_next_message_opens_a_new_one()
    {
        var sender = TensorChannel.Start(Sys, Node(), TimeSpan.FromMilliseconds(300));
        var (receiver, probe) = Receiver();

        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(1, 0, [1]));
        Assert.Equal(1, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
        Assert.Equal(1, sender.OpenConnections);
        AwaitCondition(() => sender.OpenConnections == 0, Patience);
        sender.Send(receiver.Endpoint, TensorRecipient.ParameterServers, Slice(2, 0, [2]));

        Assert.Equal(2, probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience).Step);
    }

    /// <summary>A worker that rejoins starts a new actor system in the same process: with a fixed port, its new channel must get it back.</summary>
    [Fact]
    public async Task A_node_restarted_in_the_same_process_listens_on_its_fixed_port_again()
    {
        using var free = new TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        var sender = TensorChannel.Start(Sys, Node());
        var first = Other();
        var before = TensorChannel.Start(first, Node() with { DataPort = port });
        var probe = CreateTestProbe(first);
        before.Deliver(TensorRecipient.ParameterServers, probe.Ref);
        sender.Send(before.Endpoint, TensorRecipient.ParameterServers, Slice(1, 0, [1]));
        probe.ExpectMsg<ParameterServerCommands.GradientSlice>(Patience);

        await first.Terminate().WaitAsync(Patience);
        var second = Other();
        var after = TensorChannel.Start(second, Node() with { DataPort = port });
        var again = CreateTestProbe(second);
        after.Deliver(TensorRecipient.ParameterServers, again.Ref);
        // The old connection is gone with the old node: the first send may be lost with it, as with any peer that left.
        AwaitAssert(() =>
        {
            sender.Send(after.Endpoint, TensorRecipient.ParameterServers, Slice(2, 0, [2]));
            Assert.Equal(2, again.ExpectMsg<ParameterServerCommands.GradientSlice>(TimeSpan.FromSeconds(1)).Step);
        }, Patience);
        Assert.Equal(before.Endpoint, after.Endpoint);
    }

    [Fact]
    public void A_port_in_use_is_a_one_line_error_naming_the_setting()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var e = Assert.Throws<ArgumentException>(() => TensorChannel.Start(Other(), Node() with { DataPort = port }));

        Assert.StartsWith($"DEEPMAP_DATA_PORT: cannot listen on 127.0.0.1:{port} (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx, "pw"), "pw");
    }

    protected override void AfterAll()
    {
        foreach (var system in _others) system.Terminate().Wait(Patience);
        base.AfterAll();
    }
}
