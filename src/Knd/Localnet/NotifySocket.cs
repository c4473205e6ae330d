using System.Net.Sockets;
using System.Text;

namespace Knd.Localnet;

/// <summary>
/// The service manager's end of sd_notify(3) for one daemon: a unix datagram socket whose path goes
/// to knd as <c>NOTIFY_SOCKET</c>. It records <c>READY=1</c>, <c>STATUS=</c>, <c>WATCHDOG=1</c> and
/// <c>STOPPING=1</c>. Unlike systemd (<c>NotifyAccess=main</c>) it does not check the sender's pid:
/// each daemon has its own socket, and neard-sim never notifies.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private const int MaxSocketPath = 107;
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _file;
    private long _lastWatchdog;
    private long _readyAt;
    private long _messages;
    private string? _status;
    private bool _stopping;

    public NotifySocket(string preferredPath, string abstractName, TimeProvider time)
    {
        _time = time;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        if (Encoding.UTF8.GetByteCount(preferredPath) <= MaxSocketPath)
        {
            File.Delete(preferredPath);
            _socket.Bind(new UnixDomainSocketEndPoint(preferredPath));
            _file = preferredPath;
            Address = preferredPath;
        }
        else
        {
            // A long --dir: an abstract socket ('@' in NOTIFY_SOCKET) has no path to fit in sockaddr_un.
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + abstractName));
            Address = "@" + abstractName;
        }

        _ = ReceiveAsync(_stop.Token);
    }

    /// <summary>The <c>NOTIFY_SOCKET</c> value.</summary>
    public string Address { get; }

    /// <summary>The timestamp (TimeProvider) of the last <c>WATCHDOG=1</c> since <see cref="Reset"/>, or 0.</summary>
    public long LastWatchdog => Interlocked.Read(ref _lastWatchdog);

    /// <summary>The timestamp of <c>READY=1</c> since <see cref="Reset"/>, or 0.</summary>
    public long ReadyAt => Interlocked.Read(ref _readyAt);

    /// <summary>Whether anything arrived since <see cref="Reset"/>.</summary>
    public bool HeardFrom => Interlocked.Read(ref _messages) > 0;

    public string? Status => Volatile.Read(ref _status);

    public bool Stopping => Volatile.Read(ref _stopping);

    /// <summary>Forgets what the previous process said, before a new one starts.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _lastWatchdog, 0);
        Interlocked.Exchange(ref _readyAt, 0);
        Interlocked.Exchange(ref _messages, 0);
        Volatile.Write(ref _status, null);
        Volatile.Write(ref _stopping, false);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        if (_file is not null)
        {
            File.Delete(_file);
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Handle(Encoding.UTF8.GetString(buffer, 0, length));
        }
    }

    private void Handle(string datagram)
    {
        var now = _time.GetTimestamp();
        Interlocked.Increment(ref _messages);
        foreach (var line in datagram.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = equals < 0 ? (line, string.Empty) : (line[..equals], line[(equals + 1)..]);
            switch (key)
            {
                case "READY" when value == "1":
                    Interlocked.Exchange(ref _readyAt, now);
                    break;
                case "WATCHDOG" when value == "1":
                    Interlocked.Exchange(ref _lastWatchdog, now);
                    break;
                case "STATUS":
                    Volatile.Write(ref _status, value);
                    break;
                case "STOPPING" when value == "1":
                    Volatile.Write(ref _stopping, true);
                    break;
                default:
                    // MAINPID=, RELOADING=1, EXTEND_TIMEOUT_USEC=...: valid sd_notify lines the localnet does not act on.
                    break;
            }
        }
    }
}
