using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Transport;

/// <summary>
/// A node's tensor data channel: gradients and weights, and the requests for them, travel here, between nodes, as <see cref="TensorFrame"/>s on
/// plain TCP connections of their own (TLS when remoting has it), written straight from the messages' arrays and read
/// straight into new ones, while Akka carries only metadata and cluster heartbeats. One listener per node
/// (DEEPMAP_DATA_PORT, any free port by default) hands each frame to the local actor registered for its recipient;
/// one connection per peer, written by its own thread, keeps frames in order. Delivery is at most once, like Akka's:
/// a frame to a peer that cannot be reached is dropped with a warning, and the trainer asks again after its step
/// timeout. A bad frame closes its connection with a warning; the node lives.
/// </summary>
public sealed class TensorChannel : IExtension, IDisposable
{
    private readonly TcpListener _listener;
    private readonly TlsSettings? _tls;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentDictionary<TensorRecipient, IActorRef> _recipients = new();
    private readonly ConcurrentDictionary<string, OutboundConnection> _outbound = new();
    private readonly ConcurrentDictionary<Socket, byte> _inbound = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _idleAfter;

    private TensorChannel(TcpListener listener, string advertisedHost, TlsSettings? tls, TimeSpan idleAfter, ILoggingAdapter log)
    {
        _idleAfter = idleAfter;
        _listener = listener;
        _tls = tls;
        _log = log;
        Endpoint = $"{advertisedHost}:{((IPEndPoint)listener.LocalEndpoint).Port}";
        new Thread(AcceptLoop) { IsBackground = true, Name = "tensor-channel-accept" }.Start();
    }

    /// <summary>host:port where the other nodes reach this node's channel.</summary>
    public string Endpoint { get; }

    /// <summary>Peers this node holds a connection (and a writing thread) for.</summary>
    internal int OpenConnections => _outbound.Count;

    /// <summary>Opens the node's channel and makes it the actor system's extension, closed when the system terminates.</summary>
    public static TensorChannel Start(ActorSystem system, NodeSettings settings) => Start(system, settings, TimeSpan.FromMinutes(1));

    /// <param name="idleAfter">How long a connection to a peer stays open with nothing to send.</param>
    internal static TensorChannel Start(ActorSystem system, NodeSettings settings, TimeSpan idleAfter)
    {
        var bind = settings.BindHost ?? settings.Host;
        TcpListener listener;
        try
        {
            var address = IPAddress.TryParse(bind, out var ip)
                ? ip
                : Dns.GetHostAddresses(bind).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
            listener = new TcpListener(address, settings.DataPort);
            listener.Start();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new ArgumentException($"DEEPMAP_DATA_PORT: cannot listen on {bind}:{settings.DataPort} ({e.Message})");
        }
        var channel = new TensorChannel(listener, settings.Host, settings.Tls, idleAfter, Logging.GetLogger(system, "tensor-channel"));
        system.RegisterExtension(new Provider(channel));
        system.RegisterOnTermination(channel.Dispose);
        return channel;
    }

    /// <summary>The node's channel (started with the node by <see cref="DeepMapNode.AddDeepMapNode"/>).</summary>
    public static TensorChannel Of(ActorSystem system) =>
        system.TryGetExtension<TensorChannel>(out var channel) ? channel : throw new InvalidOperationException("this actor system has no tensor channel: start the node with AddDeepMapNode");

    /// <summary>Frames for <paramref name="recipient"/> that reach this node go to <paramref name="target"/>.</summary>
    public void Deliver(TensorRecipient recipient, IActorRef target) => _recipients[recipient] = target;

    /// <summary>
    /// Queues a message for the node at <paramref name="endpoint"/>; it never blocks the caller. The message's arrays
    /// become the channel's: once written they go back to <see cref="ChunkPool"/>, so the caller must not keep them.
    /// </summary>
    public void Send(string endpoint, TensorRecipient recipient, IDeepMapMessage message, WireEncoding encoding = WireEncoding.Float32)
    {
        var frame = new OutboundFrame(recipient, message, encoding);
        while (!_stopping.IsCancellationRequested)
        {
            var connection = _outbound.GetOrAdd(endpoint, e => new OutboundConnection(e, _tls, _log, _idleAfter, Closed, _stopping.Token));
            if (connection.TryEnqueue(frame)) return;
            // It closed, idle, as the frame came: the next one connects anew.
            Closed(connection);
        }
    }

    private void Closed(OutboundConnection connection) => _outbound.TryRemove(new KeyValuePair<string, OutboundConnection>(connection.Endpoint, connection));

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener.Stop();
        foreach (var connection in _outbound.Values) connection.Dispose();
        foreach (var socket in _inbound.Keys) socket.Dispose();
    }

    private void AcceptLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = _listener.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                if (!_stopping.IsCancellationRequested) _log.Warning("tensor channel stopped accepting connections: {0}", e.Message);
                return;
            }
            socket.NoDelay = true;
            _inbound[socket] = 0;
            new Thread(() => ReadLoop(socket)) { IsBackground = true, Name = "tensor-channel-read" }.Start();
        }
    }

    private void ReadLoop(Socket socket)
    {
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        var scratch = new byte[64 * 1024];
        try
        {
            using Stream stream = _tls is null ? new NetworkStream(socket, ownsSocket: true) : Authenticate(new NetworkStream(socket, ownsSocket: true));
            while (TensorFrame.Read(stream, ref scratch) is var (recipient, message))
            {
                if (_recipients.TryGetValue(recipient, out var target)) target.Tell(message, ActorRefs.NoSender);
                else _log.Warning("tensor channel: a {0} for {1} from {2}, and this node has no {1}; dropped", message.GetType().Name, recipient, peer);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            if (!_stopping.IsCancellationRequested) _log.Warning("tensor channel: connection from {0} closed: {1}", peer, e.Message);
        }
        finally
        {
            _inbound.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private SslStream Authenticate(NetworkStream stream)
    {
        var tls = _tls!;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        ssl.AuthenticateAsServer(new SslServerAuthenticationOptions
        {
            ServerCertificate = tls.Certificate,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => tls.Accepts(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2, errors),
        });
        return ssl;
    }

    private sealed class Provider(TensorChannel channel) : ExtensionIdProvider<TensorChannel>
    {
        public override TensorChannel CreateExtension(ExtendedActorSystem system) => channel;
    }
}
