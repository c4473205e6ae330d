using System.Net.Sockets;
using System.Text;

namespace Knd.Tests.Systemd;

/// <summary>
/// Plays the service manager: a real unix datagram socket, bound in a temp dir or in the abstract
/// namespace, whose <see cref="Address"/> goes into NOTIFY_SOCKET.
/// </summary>
internal sealed class NotifyReceiver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _directory;

    private NotifyReceiver(string address, string bindPath, string? directory)
    {
        Address = address;
        _directory = directory;
        _socket.Bind(new UnixDomainSocketEndPoint(bindPath));
    }

    /// <summary>The NOTIFY_SOCKET value: a path, or <c>@name</c> for an abstract socket.</summary>
    public string Address { get; }

    /// <summary>Bytes waiting to be read; 0 when nothing was sent.</summary>
    public int Pending => _socket.Available;

    public static NotifyReceiver InTempDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("knd-notify-").FullName;
        var path = Path.Combine(directory, "notify.sock");
        return new NotifyReceiver(path, path, directory);
    }

    public static NotifyReceiver Abstract()
    {
        var name = "knd-test-notify-" + Guid.NewGuid().ToString("N");
        return new NotifyReceiver("@" + name, "\0" + name, null);
    }

    /// <summary>The environment of a process started by systemd with this socket (and more variables).</summary>
    public Func<string, string?> Environment(params (string Name, string Value)[] more)
    {
        var variables = more.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        variables["NOTIFY_SOCKET"] = Address;
        return name => variables.GetValueOrDefault(name);
    }

    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no datagram arrived on {Address}");
        }
    }

    /// <summary>Closes the socket and removes its file, as if the service manager went away.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp dir must not fail a test.
            }
        }
    }
}
