using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepMap.Bench.Cluster;

/// <summary>
/// The far ends of the exchange benchmark, each run as a second process of this program: an Akka node set up as the
/// cluster's nodes are (<see cref="DeepMapNode.AddDeepMapNode"/>, with its tensor data channel) whose actor answers
/// like a parameter-server shard, and a plain TCP server.
/// </summary>
internal static class ExchangePeers
{
    public const string AkkaServerMode = "exchange-akka-server";
    public const string TcpServerMode = "exchange-tcp-server";

    /// <summary>The array size travels in the job id, so that one server serves every size the client asks for.</summary>
    public static string JobId(int floats) => $"bench-{floats}";

    private static int Floats(string jobId) => int.Parse(jobId.AsSpan("bench-".Length), CultureInfo.InvariantCulture);

    /// <summary>Starts an Akka node with the nodes' own setup; quiet but for warnings.</summary>
    public static async Task<IHost> StartNode(NodeSettings settings, Action<ActorSystem, IActorRegistry>? actors = null)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka(RegionNames.SystemName, akka =>
        {
            akka.AddDeepMapNode(settings, "bench")
                .AddHocon("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING", HoconAddMode.Prepend);
            if (actors is not null) akka.WithActors(actors);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>`exchange-akka-server --port P --data-port D`: the seed node; prints READY, serves until its input closes.</summary>
    public static async Task<int> RunAkkaServer(string[] args)
    {
        var (port, dataPort) = args is [_, "--port", var p, "--data-port", var d] ? (Port(p, args), Port(d, args)) : throw new UsageException($"{args[0]} takes --port P --data-port D");
        using var host = await StartNode(new NodeSettings([$"127.0.0.1:{port}"], "127.0.0.1", port, "cpu", 1) { DataPort = dataPort },
            (system, _) => TensorChannel.Of(system).Deliver(TensorRecipient.ParameterServers, system.ActorOf(Props.Create(() => new ShardLike()), "ps-bench")));
        Console.WriteLine("READY");
        await Console.In.ReadToEndAsync();
        await host.StopAsync();
        return 0;
    }

    /// <summary>`exchange-tcp-server --port P`: answers each int32 request n with n bytes, until a request of 0.</summary>
    public static int RunTcpServer(string[] args)
    {
        var port = PortArgument(args);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(1);
        Console.WriteLine("READY");
        using var socket = listener.Accept();
        socket.NoDelay = true;
        var request = new byte[4];
        var payload = Array.Empty<byte>();
        while (true)
        {
            ReadExactly(socket, request);
            var n = BitConverter.ToInt32(request);
            if (n <= 0) return 0;
            if (payload.Length < n)
            {
                payload = new byte[n];
                Random.Shared.NextBytes(payload);
            }
            var sent = 0;
            while (sent < n) sent += socket.Send(payload.AsSpan(sent, n - sent));
        }
    }

    public static void ReadExactly(Socket socket, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = socket.Receive(buffer[read..]);
            if (n == 0) throw new IOException("the peer closed the connection");
            read += n;
        }
    }

    private static int PortArgument(string[] args) =>
        args is [_, "--port", var p] ? Port(p, args) : throw new UsageException($"{args[0]} takes --port P");

    private static int Port(string text, string[] args) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : throw new UsageException($"{args[0]}: '{text}' is not a port");

    /// <summary>This program again, as a child process in the given mode; its READY line is awaited.</summary>
    public static Process StartChild(params string[] args)
    {
        var dll = typeof(ExchangePeers).Assembly.Location;
        var info = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line == "READY")
            {
                // Read on, so that its pipe never fills; what it says after starting (Akka's warnings when this end
                // leaves first) is not part of the measurement.
                _ = Task.Run(() =>
                {
                    while (process.StandardOutput.ReadLine() is not null)
                    {
                    }
                });
                return process;
            }
            Console.WriteLine($"# {args[0]}: {line}");
            if (DateTime.UtcNow > deadline) break;
        }
        process.Kill();
        throw new InvalidOperationException($"{args[0]} did not start");
    }

    public static void StopChild(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>
    /// Answers as a parameter-server shard does: GetWeights with each 1 MiB piece copied out of the weights and sent
    /// as a WeightsChunk on the tensor data channel to the asker's endpoint; a gradient's GradientSlice pieces (from the
    /// channel) assembled as the shard assembles them, each complete gradient acknowledged with ShardStepped to the
    /// last asker, as the shard tells its trainer.
    /// </summary>
    private sealed class ShardLike : ReceiveActor
    {
        private readonly Dictionary<int, float[]> _weights = [];
        private readonly Dictionary<(long Step, int Partition), ChunkAssembler> _pending = [];
        private readonly TensorChannel _channel = TensorChannel.Of(Context.System);
        private string? _asker;

        public ShardLike()
        {
            Receive<ParameterServerCommands.GetWeights>(m =>
            {
                _asker = m.ReplyTo;
                var n = Floats(m.JobId);
                if (!_weights.TryGetValue(n, out var held))
                {
                    held = new float[n];
                    for (var i = 0; i < n; i++) held[i] = i * 1e-6f;
                    _weights[n] = held;
                }
                for (var c = 0; c < Chunking.Count(held.Length); c++)
                    _channel.Send(m.ReplyTo, TensorRecipient.WeightCache, new ParameterServerReplies.WeightsChunk(m.JobId, m.Shard, m.Version, c, Chunking.Slice(held, c)), m.Encoding);
            });
            Receive<ParameterServerCommands.GradientSlice>(m =>
            {
                var key = (m.Step, m.Partition);
                if (!_pending.TryGetValue(key, out var assembler)) _pending[key] = assembler = new ChunkAssembler(Floats(m.JobId));
                assembler.Add(m.Chunk, m.Values);
                if (!assembler.IsComplete) return;
                _pending.Remove(key);
                assembler.Recycle(); // as the shard does once the gradient is summed
                if (_asker is not null) _channel.Send(_asker, TensorRecipient.WeightCache, new ParameterServerReplies.ShardStepped(m.JobId, m.Shard, m.Step, 0, m.Partition));
            });
        }
    }
}
