using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Knd.Configuration;

/// <summary>
/// Strict parsing of <c>IP:PORT</c> / <c>[IPv6]:PORT</c> listen addresses and of bare IPs. Host
/// names are refused: a listen address must not depend on DNS, and .NET's own IP parser would
/// accept "1" or "1.2.3" as IPv4.
/// </summary>
internal static partial class EndpointParser
{
    public static bool TryParseEndpoint(string text, bool allowPortZero, out IPEndPoint? endpoint, out string? problem)
    {
        endpoint = null;
        var quoted = ValueText.Quote(text);
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                problem = $"bad listen address {quoted}: expected [IPv6]:PORT";
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                problem = $"bad listen address {quoted}: missing :PORT, e.g. \"127.0.0.1:2233\"";
                return false;
            }

            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                problem = $"bad listen address {quoted}: an IPv6 address needs brackets, e.g. \"[::1]:2233\"";
                return false;
            }
        }

        if (!TryParseAddress(host, out var address, out var addressProblem))
        {
            problem = $"bad listen address {quoted}: {addressProblem}";
            return false;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > IPEndPoint.MaxPort)
        {
            problem = $"bad listen address {quoted}: port {ValueText.Quote(port)} is not a number from {(allowPortZero ? 0 : 1)} to 65535";
            return false;
        }

        if (portNumber == 0 && !allowPortZero)
        {
            problem = $"bad listen address {quoted}: port 0 is not allowed here (neard must listen on a known port)";
            return false;
        }

        endpoint = new IPEndPoint(address!, portNumber);
        problem = null;
        return true;
    }

    /// <summary>An IPv4 address in dotted-quad form, or an IPv6 address with or without brackets.</summary>
    public static bool TryParseAddress(string text, out IPAddress? address, out string? problem)
    {
        address = null;
        problem = null;
        var host = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        if (host.Length == 0)
        {
            problem = "the IP address is missing";
            return false;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            if (IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = v6;
                return true;
            }
        }
        else if (DottedQuad().IsMatch(host) && IPAddress.TryParse(host, out var v4))
        {
            address = v4;
            return true;
        }

        problem = host.Any(char.IsAsciiLetter) && !host.Contains(':', StringComparison.Ordinal)
            ? $"{ValueText.Quote(host)} is a host name; give an IP address (host names are not resolved)"
            : $"{ValueText.Quote(host)} is not an IP address";
        return false;
    }

    [GeneratedRegex(@"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$")]
    private static partial Regex DottedQuad();
}
