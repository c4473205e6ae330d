using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Knd.Localnet;

/// <summary>
/// Loopback ports that a configuration must name before its process binds them (neard's RPC in
/// config.json, etcd's members, a peer address). A port found free by binding port 0 comes from the
/// kernel's ephemeral range, the same range every other port-0 bind and outgoing connection draws
/// from, so between the check and the real bind another process (an exporter, Consul, a client
/// socket) can take it: a test saw node-1's exporter take node-2's neard RPC port that way. These
/// ports come from below that range instead, where the kernel never hands out a port by itself;
/// each process starts at a random place and walks on, so processes that allocate side by side
/// (two localnets, a test run beside a benchmark) rarely try the same one, and the bind check
/// skips a port in use.
/// </summary>
internal static class FixedPorts
{
    /// <summary>The lowest port handed out: above the registered services commonly run on a host.</summary>
    internal const int Floor = 10000;

    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    private static readonly Lazy<(int Low, int High)?> Range = new(ReadRange);
    private static int _next = -1;

    /// <summary>A loopback port that is free now and that no port-0 bind will be given meanwhile.</summary>
    public static int Next()
    {
        if (Range.Value is not var (low, high))
        {
            return Ephemeral();
        }

        var size = high - low + 1;
        if (Volatile.Read(ref _next) < 0)
        {
            Interlocked.CompareExchange(ref _next, Random.Shared.Next(size), -1);
        }

        for (var tries = 0; tries < size; tries++)
        {
            var port = low + (int)((uint)Interlocked.Increment(ref _next) % (uint)size);
            if (IsFree(port))
            {
                return port;
            }
        }

        return Ephemeral();
    }

    /// <summary>The ports below the kernel's ephemeral range, or null when it leaves too few (then port 0 is all there is).</summary>
    internal static (int Low, int High)? Below(int ephemeralLow) =>
        ephemeralLow - 1 - Floor >= 1000 ? (Floor, ephemeralLow - 1) : null;

    private static (int Low, int High)? ReadRange()
    {
        try
        {
            var fields = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                ? Below(low)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int Ephemeral()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
