using System.Globalization;
using System.Net;

namespace Knd.DevConsul;

/// <summary>Parses <c>HOST:PORT</c> for <c>--listen</c>: an IPv4 address, <c>[IPv6]</c>, or <c>localhost</c>; port 0 picks a free one.</summary>
internal static class ListenAddress
{
    public static bool TryParse(string text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        error = string.Empty;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 || (text.Contains(':', StringComparison.Ordinal) && text.IndexOf(':') != colon && !text.StartsWith('[')))
        {
            error = $"'{text}' is not HOST:PORT (e.g. 127.0.0.1:8500, [::1]:8500, localhost:0)";
            return false;
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            error = $"port '{portText}' is not a number from 0 to 65535";
            return false;
        }

        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host.Trim('[', ']'), out address) || (host.StartsWith('[') != host.EndsWith(']')))
        {
            error = $"host '{host}' is not an IP address or localhost";
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
