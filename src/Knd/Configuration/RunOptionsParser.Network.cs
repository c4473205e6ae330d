using System.Net;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The network options: listen addresses, public addresses, boot nodes.</summary>
internal sealed partial class RunOptionsParser
{
    private IPEndPoint ParseEndpoint(RunOptionSpec spec, string fallback, bool allowPortZero)
    {
        var value = FindSingle(spec) ?? DefaultValue(spec, fallback);
        return EndpointParser.TryParseEndpoint(value.Text, allowPortZero, out var endpoint, out var problem) ? endpoint! : throw Fail(value, problem!);
    }

    private string? ParseBootnodes()
    {
        if (FindSingle(NeardBootnodes) is not { } value)
        {
            return null;
        }

        return value.Text.Length > 0 && !ValueText.HasWhitespaceOrControl(value.Text)
            ? value.Text
            : throw Fail(value, $"{ValueText.Quote(value.Text)} must be a non-empty comma-separated list without spaces, e.g. \"ed25519:KEY@1.2.3.4:24567\"");
    }

    private List<IPAddress> ParsePublicAddresses()
    {
        var addresses = new List<IPAddress>();
        if (Find(PublicAddress) is not { } value)
        {
            return addresses;
        }

        // kuutamod documented a comma-separated list; a repeated flag works as well.
        foreach (var entry in value.Values.SelectMany(v => v.Split(',')).Select(e => e.Trim()))
        {
            if (entry.Length == 0)
            {
                throw Fail(value, $"empty entry in {ValueText.Quote(string.Join(",", value.Values))}; give IPs separated by commas");
            }

            if (!EndpointParser.TryParseAddress(entry, out var address, out var problem))
            {
                throw Fail(value, problem!);
            }

            if (address!.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                throw Fail(value, $"{ValueText.Quote(entry)} is not a public address: it means any address");
            }

            if (addresses.Contains(address))
            {
                throw Fail(value, $"{ValueText.Quote(entry)} is listed twice");
            }

            addresses.Add(address);
        }

        return addresses;
    }
}
