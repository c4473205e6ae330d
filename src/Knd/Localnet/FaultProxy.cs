using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Knd.Localnet;

/// <summary>
/// A loopback TCP forwarder between one knd and one etcd member, so the localnet can hurt that
/// knd's path alone (<see cref="LinkFaults"/>): a partition, latency, spoiled answers. It knows
/// nothing of gRPC; it moves bytes. A member that is down refuses the upstream connect, and the
/// proxy then closes knd's connection at once, as the member's own port would.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    /// <summary>A stalled connection stays silent this long before the reset: past knd's request timeout.</summary>
    public static readonly TimeSpan StallFor = TimeSpan.FromSeconds(3);

    private static readonly byte[] WrongProtocolAnswer = Encoding.ASCII.GetBytes("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly LinkFaults _faults;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _accepting;

    public FaultProxy(int upstreamPort, LinkFaults faults, TimeProvider time)
    {
        _upstreamPort = upstreamPort;
        _faults = faults;
        _time = time;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _faults.Healed += CutAll;
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>Cuts every open connection (a reset): the black hole ended, or etcd's member went away.</summary>
    public void CutAll()
    {
        foreach (var link in _links.Keys)
        {
            link.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _faults.Healed -= CutAll;
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        client.NoDelay = true;
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var link = new Link(client, upstream);
        _links[link] = 0;
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _upstreamPort), cancellationToken);
            var toEtcd = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var toKnd = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            Task[] pumps =
            [
                ReadAsync(client, toEtcd.Writer, link.Token),
                WriteAsync(upstream, toEtcd.Reader, spoil: false, link, link.Token),
                ReadAsync(upstream, toKnd.Writer, link.Token),
                WriteAsync(client, toKnd.Reader, spoil: true, link, link.Token),
            ];

            // Either side closing or failing ends the connection on both.
            await Task.WhenAny(pumps);
            link.Abort();
            await Task.WhenAll(pumps);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException or ChannelClosedException)
        {
            // The member is down, or one side closed or reset: the other side goes too.
        }
        finally
        {
            _links.TryRemove(link, out _);
            link.Abort();
        }
    }

    /// <summary>Reads one side into the queue, stamping each chunk with when it arrived; ends the link at end of stream.</summary>
    private async Task ReadAsync(Socket from, ChannelWriter<Chunk> queue, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                queue.Complete();
                throw new IOException("closed");
            }

            await queue.WriteAsync(new Chunk(buffer.AsSpan(0, read).ToArray(), _time.GetTimestamp()), cancellationToken);
        }
    }

    /// <summary>Writes the queue to the other side, after the latency, never into a black hole, spoiling what the faults say.</summary>
    private async Task WriteAsync(Socket to, ChannelReader<Chunk> queue, bool spoil, Link link, CancellationToken cancellationToken)
    {
        await foreach (var chunk in queue.ReadAllAsync(cancellationToken))
        {
            if (spoil)
            {
                var due = _faults.Latency - _time.GetElapsedTime(chunk.Arrived);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, cancellationToken);
                }
            }

            while (_faults.Blackholed)
            {
                // Frozen until the heal cuts the connection.
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
            }

            switch (spoil ? _faults.NextChunk() : null)
            {
                case null:
                    await to.SendAsync(chunk.Bytes, SocketFlags.None, cancellationToken);
                    break;
                case GarbageMode.Truncate:
                    await to.SendAsync(chunk.Bytes.AsMemory(0, Math.Max(1, chunk.Bytes.Length / 2)), SocketFlags.None, cancellationToken);
                    link.Abort();
                    return;
                case GarbageMode.WrongProtocol:
                    await to.SendAsync(WrongProtocolAnswer, SocketFlags.None, cancellationToken);
                    link.Abort();
                    return;
                case GarbageMode.Stall:
                    await Task.Delay(StallFor, _time, cancellationToken);
                    link.Abort();
                    return;
            }
        }
    }

    private readonly record struct Chunk(byte[] Bytes, long Arrived);

    /// <summary>knd's connection and its twin to the member; aborting resets both.</summary>
    private sealed class Link(Socket client, Socket upstream)
    {
        private readonly CancellationTokenSource _cut = new();
        private int _aborted;

        public CancellationToken Token => _cut.Token;

        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 1)
            {
                return;
            }

            _cut.Cancel();
            foreach (var socket in new[] { client, upstream })
            {
                try
                {
                    // Linger 0: a reset, not an orderly close, so knd sees the connection fail at once.
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Never connected or already gone.
                }

                socket.Dispose();
            }
        }
    }
}
