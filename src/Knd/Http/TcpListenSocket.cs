using System.Net;
using System.Net.Sockets;

namespace Knd.Http;

/// <summary>
/// A TCP listening socket knd binds itself, before anything else starts, and hands to Kestrel as a
/// handle. Kestrel binding its own address would fail only inside the host's start, after the
/// supervisor has begun (a Consul session, a neard), and as a stack trace; here a port in use is
/// one line naming the address. Kestrel does not own a handle it is given: this closes it on
/// <see cref="Dispose"/>, which must come after the server has stopped.
/// </summary>
internal sealed class TcpListenSocket : IDisposable
{
    private const int Backlog = 512;
    private readonly Socket _socket;

    private TcpListenSocket(Socket socket, IPEndPoint localEndPoint)
    {
        _socket = socket;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>The address actually bound (the kernel's port when port 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The descriptor for Kestrel's <c>ListenHandle</c>.</summary>
    public ulong Handle => (ulong)_socket.Handle;

    /// <summary>Binds and listens; throws <see cref="ListenException"/> with one line saying why not.</summary>
    public static TcpListenSocket Bind(IPEndPoint address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel does: [::] takes IPv4 connections too.
            if (address.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(address);
            socket.Listen(Backlog);
            return new TcpListenSocket(socket, (IPEndPoint)socket.LocalEndPoint!);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenException(Explain(address, e), e);
        }
    }

    /// <summary>Why <paramref name="address"/> cannot be listened on, in the operator's terms.</summary>
    internal static string Explain(IPEndPoint address, SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => $"{address} is in use by another process (a second knd, or a kuutamod, on this host?); give each its own address",
        SocketError.AddressNotAvailable => $"{address.Address} is not an address of this host",
        SocketError.AccessDenied => $"listening on {address} is not permitted (ports below 1024 need CAP_NET_BIND_SERVICE)",
        _ => $"cannot listen on {address}: {e.Message}",
    };

    public void Dispose() => _socket.Dispose();
}

/// <summary>A listening socket cannot be made; the message is one line naming the address and why.</summary>
internal sealed class ListenException : IOException
{
    public ListenException(string message)
        : base(message)
    {
    }

    public ListenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ListenException()
    {
    }
}
