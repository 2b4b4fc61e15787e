using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AkkaCluster = Akka.Cluster.Cluster;

namespace DeepMap.Bench.Cluster;

/// <summary>
/// This process's end of the exchange as the nodes do it: a node joined to the server's cluster (Akka's connection
/// carries the heartbeats, as between real nodes) whose actor pulls weights on the tensor data channel as a worker's
/// weight cache does — GetWeights, then WeightsChunk pieces put together with <see cref="WeightsAssembly"/> — and,
/// for a step's traffic, sends gradients as a partition does (GradientSlice pieces of 1 MiB) and waits for each to be
/// acknowledged.
/// </summary>
internal sealed class ChannelExchange : IAsyncDisposable
{
    private readonly Process _server;
    private readonly IHost _host;
    private readonly IActorRef _client;
    private long _round;

    private ChannelExchange(Process server, IHost host, IActorRef client)
    {
        _server = server;
        _host = host;
        _client = client;
    }

    public static async Task<ChannelExchange> Start()
    {
        var serverPort = FreePort();
        var serverDataPort = FreePort();
        var server = ExchangePeers.StartChild(ExchangePeers.AkkaServerMode, "--port", serverPort.ToString(), "--data-port", serverDataPort.ToString());
        var host = await ExchangePeers.StartNode(new NodeSettings([$"127.0.0.1:{serverPort}"], "127.0.0.1", 0, "cpu", 1));
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource();
        AkkaCluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var channel = TensorChannel.Of(system);
        var client = system.ActorOf(Props.Create(() => new Client(channel, $"127.0.0.1:{serverDataPort}")), "exchange-client");
        channel.Deliver(TensorRecipient.WeightCache, client);
        return new ChannelExchange(server, host, client);
    }

    /// <summary>Seconds for one pull of <paramref name="floats"/> weights, then <paramref name="gradients"/> gradients of the same size sent back and acknowledged.</summary>
    public async Task<double> Round(int floats, int gradients)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        _client.Tell(new Client.Round(floats, ++_round, gradients, done));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        ExchangePeers.StopChild(_server);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Client : ReceiveActor
    {
        private readonly TensorChannel _channel;
        private readonly string _server;
        private readonly Dictionary<int, float[]> _gradients = [];
        private Round? _round;
        private WeightsAssembly? _assembly;
        private WeightsAssembly? _latest;
        private int _acknowledged;

        public sealed record Round(int Floats, long Version, int Gradients, TaskCompletionSource Done);

        public Client(TensorChannel channel, string server)
        {
            _channel = channel;
            _server = server;
            Receive<Round>(r =>
            {
                _round = r;
                _acknowledged = 0;
                _assembly = new WeightsAssembly([0, r.Floats], r.Version);
                _channel.Send(_server, TensorRecipient.ParameterServers, new ParameterServerCommands.GetWeights(ExchangePeers.JobId(r.Floats), 0, r.Version, _channel.Endpoint, WireEncoding.Float32));
            });
            Receive<ParameterServerReplies.WeightsChunk>(m =>
            {
                if (_round is not { } r || m.Version != r.Version) return;
                _assembly!.Add(m);
                if (!_assembly.IsComplete) return;
                // Held as the weight cache holds the latest version, the previous one let go.
                _latest?.Release();
                _latest = _assembly.Retain();
                if (r.Gradients == 0)
                {
                    r.Done.TrySetResult();
                    return;
                }
                if (!_gradients.TryGetValue(r.Floats, out var gradient)) _gradients[r.Floats] = gradient = new float[r.Floats];
                var job = ExchangePeers.JobId(r.Floats);
                for (var k = 0; k < r.Gradients; k++)
                    for (var c = 0; c < Chunking.Count(gradient.Length); c++)
                        _channel.Send(_server, TensorRecipient.ParameterServers, new ParameterServerCommands.GradientSlice(job, 0, r.Version, k, 64, 0, c, Chunking.Slice(gradient, c)));
            });
            Receive<ParameterServerReplies.ShardStepped>(m =>
            {
                if (_round is not { } r || m.Step != r.Version) return;
                if (++_acknowledged == r.Gradients) r.Done.TrySetResult();
            });
        }
    }
}

/// <summary>This process's end of the plain TCP exchange: asks for n bytes and reads them all.</summary>
internal sealed class TcpExchange : IDisposable
{
    private readonly Process _server;
    private readonly Socket _socket;
    private byte[] _buffer = [];

    private TcpExchange(Process server, Socket socket)
    {
        _server = server;
        _socket = socket;
    }

    public static TcpExchange Start()
    {
        var port = ChannelExchange.FreePort();
        var server = ExchangePeers.StartChild(ExchangePeers.TcpServerMode, "--port", port.ToString());
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return new TcpExchange(server, socket);
    }

    public double Round(int bytes)
    {
        if (_buffer.Length < bytes) _buffer = new byte[bytes];
        var start = Stopwatch.GetTimestamp();
        _socket.Send(BitConverter.GetBytes(bytes));
        ExchangePeers.ReadExactly(_socket, _buffer.AsSpan(0, bytes));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose()
    {
        _socket.Send(BitConverter.GetBytes(0));
        _socket.Dispose();
        ExchangePeers.StopChild(_server);
    }
}
