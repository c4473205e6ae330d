using System.Net;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The peer channel's options (docs/peer-channel.md): its addresses, its secret, and the two modes that use it.</summary>
internal sealed partial class RunOptionsParser
{
    private PeerOptions ParsePeers(TimeSpan sessionTtl)
    {
        var fastFailover = ParseFlag(FastFailover);
        var failsafe = ParseFlag(Failsafe);
        var silence = ParseDuration(LeaderSilence, new PeerRules().LeaderSilence, allowZero: false);
        if (Find(LeaderSilence) is { } given && (silence < PeerRules.MinLeaderSilence || silence >= sessionTtl))
        {
            throw Fail(given, $"{ValueText.Quote(given.Text)} must be at least {DurationParser.Format(PeerRules.MinLeaderSilence)} (four heartbeats) and below --session-ttl ({DurationParser.Format(sessionTtl)})");
        }

        var address = ParseOptionalEndpoint(PeerAddress, allowPortZero: true);
        var advertise = ParseOptionalEndpoint(PeerAdvertiseAddress, allowPortZero: false);
        var secret = ParseClusterSecretFile();
        foreach (var (mode, on) in new[] { (FastFailover, fastFailover), (Failsafe, failsafe) })
        {
            if (on && address is null)
            {
                throw Fail(Find(mode)!, $"needs the peer channel: set {PeerAddress.Flag} (and {ClusterSecretFile.Flag})");
            }
        }

        if (address is not null && secret is null)
        {
            throw Fail(Find(PeerAddress)!, $"needs {ClusterSecretFile.Flag}: every peer request is authenticated with the cluster secret");
        }

        if (advertise is not null && address is null)
        {
            throw Fail(Find(PeerAdvertiseAddress)!, $"needs {PeerAddress.Flag}");
        }

        if (address is not null && advertise is null && (address.Address.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any)))
        {
            throw Fail(Find(PeerAddress)!, $"{address} listens on every address, so the other hosts cannot be told where to reach this one; set {PeerAdvertiseAddress.Flag}");
        }

        var rules = new PeerRules { FastFailover = fastFailover, Failsafe = failsafe, LeaderSilence = silence };
        return new PeerOptions(address, advertise, secret, rules);
    }

    private IPEndPoint? ParseOptionalEndpoint(RunOptionSpec spec, bool allowPortZero)
    {
        if (FindSingle(spec) is not { } value)
        {
            return null;
        }

        return EndpointParser.TryParseEndpoint(value.Text, allowPortZero, out var endpoint, out var problem) ? endpoint! : throw Fail(value, problem!);
    }

    private string? ParseClusterSecretFile()
    {
        if (FindSingle(ClusterSecretFile) is not { } value)
        {
            return null;
        }

        var path = FullPath(value);
        return ClusterSecret.TryRead(path, out var problem) is null ? throw Fail(value, $"{ValueText.Quote(path)} {problem}") : path;
    }

    private bool ParseFlag(RunOptionSpec spec)
    {
        if (FindSingle(spec) is not { } value)
        {
            return false;
        }

        return value.Text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw Fail(value, $"{ValueText.Quote(value.Text)} is not true or false"),
        };
    }
}

/// <summary>The parsed peer-channel options.</summary>
internal sealed record PeerOptions(IPEndPoint? Address, IPEndPoint? Advertise, string? SecretFile, PeerRules Rules);
