using System.Net;
using System.Net.Sockets;

namespace Knd.Peers;

/// <summary>
/// The peer channel's listening TCP socket, bound before anything starts: a port in use is a
/// configuration error naming <c>--peer-address</c>, and with port 0 the port the kernel picked is
/// known before this node publishes its member record. Kestrel serves it through <c>ListenHandle</c>
/// and does not own the handle, so this object closes it once the server has stopped.
/// </summary>
internal sealed class PeerListener : IDisposable
{
    private readonly Socket _socket;

    private PeerListener(Socket socket, IPEndPoint bound, IPEndPoint advertised)
    {
        _socket = socket;
        Bound = bound;
        Advertised = advertised;
    }

    public IPEndPoint Bound { get; }

    /// <summary>What this node publishes in its member record: <c>--peer-advertise-address</c>, or the bound address.</summary>
    public IPEndPoint Advertised { get; }

    /// <summary>Binds <paramref name="endpoint"/>; throws <see cref="SocketException"/> when it cannot (in use, not a local address).</summary>
    public static PeerListener Bind(IPEndPoint endpoint, IPEndPoint? advertise)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(128);
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            return new PeerListener(socket, bound, advertise ?? bound);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ulong Handle => (ulong)_socket.Handle;

    /// <summary>Whether a Kestrel server address (as logged at start) is this listener's.</summary>
    public bool IsServerAddress(string address) => address.EndsWith("://" + Bound, StringComparison.Ordinal);

    public void Dispose() => _socket.Dispose();
}
