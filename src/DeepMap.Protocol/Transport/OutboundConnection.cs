using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Transport;

internal sealed record OutboundFrame(TensorRecipient Recipient, IDeepMapMessage Message, WireEncoding Encoding);

/// <summary>
/// This node's connection to one peer's tensor channel: a queue written by a thread of its own, so senders never
/// block and frames keep their order. It connects when there is something to send; when the peer cannot be reached or
/// the connection breaks, what is queued is dropped (the trainer asks again) and the next frame connects anew. Idle
/// for a minute, it closes and its thread ends: workers come and go under new endpoints, and a long-lived coordinator
/// must not keep a thread for each one it ever served.
/// </summary>
internal sealed class OutboundConnection : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    // A peer that stops reading (cut off, frozen) must not hold the writer forever; the sender's retries come later.
    private const int SendTimeoutMs = 10_000;

    private readonly TlsSettings? _tls;
    private readonly Action<OutboundConnection> _closed;
    private readonly TimeSpan _idleAfter;
    private readonly ILoggingAdapter _log;
    private readonly CancellationToken _stopping;
    private readonly BlockingCollection<OutboundFrame> _queue = new();
    private Socket? _socket;

    public OutboundConnection(string endpoint, TlsSettings? tls, ILoggingAdapter log, TimeSpan idleAfter, Action<OutboundConnection> closed, CancellationToken stopping)
    {
        _idleAfter = idleAfter;
        Endpoint = endpoint;
        _tls = tls;
        _closed = closed;
        _log = log;
        _stopping = stopping;
        new Thread(WriteLoop) { IsBackground = true, Name = $"tensor-channel-write {endpoint}" }.Start();
    }

    public string Endpoint { get; }

    /// <summary>Queues a frame; false when the connection has closed (idle, or the node stops).</summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        try
        {
            return _queue.TryAdd(frame);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _socket?.Dispose();
    }

    private void WriteLoop()
    {
        var scratch = new byte[64 * 1024];
        Stream? stream = null;
        try
        {
            while (true)
            {
                if (!_queue.TryTake(out var frame, (int)_idleAfter.TotalMilliseconds, _stopping))
                {
                    if (!IdleClose()) continue;
                    return;
                }
                try
                {
                    stream ??= Connect();
                    TensorFrame.Write(stream, frame.Recipient, frame.Message, frame.Encoding, ref scratch);
                    if (_queue.Count == 0) stream.Flush();
                    Recycle(frame);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    if (_stopping.IsCancellationRequested) return;
                    Recycle(frame);
                    var dropped = 1;
                    while (_queue.TryTake(out var next))
                    {
                        Recycle(next);
                        dropped++;
                    }
                    _log.Warning("tensor channel to {0}: {1}; {2} message(s) dropped", Endpoint, e.Message, dropped);
                    stream?.Dispose();
                    stream = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            stream?.Dispose();
        }

        // Closes an idle connection, unless a frame slipped in as it closed (then it goes on).
        bool IdleClose()
        {
            _queue.CompleteAdding();
            if (_queue.Count > 0) return false;
            stream?.Dispose();
            stream = null;
            _closed(this);
            return true;
        }
    }

    /// <summary>A sent message's arrays are the channel's (see <see cref="TensorChannel.Send"/>): written, they are reused.</summary>
    private static void Recycle(OutboundFrame frame)
    {
        foreach (var values in (frame.Message as ITensorMessage)?.Tensors ?? []) ChunkPool.Return(values);
    }

    private Stream Connect()
    {
        var separator = Endpoint.LastIndexOf(':');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = SendTimeoutMs };
        _socket = socket;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping))
        {
            timeout.CancelAfter(ConnectTimeout);
            socket.ConnectAsync(Endpoint[..separator], int.Parse(Endpoint[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture), timeout.Token)
                .AsTask().GetAwaiter().GetResult();
        }
        var network = new NetworkStream(socket, ownsSocket: true);
        if (_tls is not { } tls) return network;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = Endpoint[..separator],
            ClientCertificates = [tls.Certificate],
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => tls.Accepts(certificate as X509Certificate2, errors),
        });
        return ssl;
    }
}
