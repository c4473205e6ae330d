using System.Globalization;
using System.Net;

namespace NeardSim.Home;

/// <summary>A listen address as neard writes it: "IP:PORT", "[IPv6]:PORT" or "host:PORT".</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    public static bool TryParse(string text, out HostPort value)
    {
        value = default;
        if (IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':', StringComparison.Ordinal))
        {
            value = new HostPort(endpoint.Address.ToString(), endpoint.Port);
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || text.Contains('[', StringComparison.Ordinal))
        {
            return false;
        }

        var host = text[..colon];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return false;
        }

        value = new HostPort(host, port);
        return true;
    }
}
