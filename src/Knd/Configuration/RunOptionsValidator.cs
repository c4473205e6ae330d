using System.Net;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The three key files as read at start.</summary>
internal sealed record RunOptionKeys(NearKeyFile ValidatorKey, NearKeyFile ValidatorNodeKey, NearKeyFile VoterNodeKey);

/// <summary>
/// The rules that tie several options together, all in one place. Each option has already
/// passed its own checks; these catch combinations that would be unsafe or could never work.
/// </summary>
internal static class RunOptionsValidator
{
    /// <summary>The first broken rule, or null. <paramref name="originOf"/> tells where an option's value came from.</summary>
    public static RunOptionError? Validate(KndRunOptions options, FailoverTimings timings, RunOptionKeys keys, Func<RunOptionSpec, OptionOrigin> originOf)
    {
        RunOptionError Error(RunOptionSpec spec, string problem) => new(spec.Flag, originOf(spec).Describe(), problem);

        if (timings.Check() is { } timingProblem)
        {
            // With its default, the stop timeout always fits; only an explicit one can break the bound.
            // With the fence bound below the TTL, the broken rule is fast failover's lock-delay.
            var culprit = timings.FenceBound < timings.SessionTtl ? LockDelay
                : originOf(NeardStopTimeout).Kind == OptionOriginKind.Default ? SessionTtl : NeardStopTimeout;
            return Error(culprit, timingProblem);
        }

        if (timings.NeardStallTimeout <= timings.HealthPollInterval)
        {
            return Error(NeardStallTimeout, $"{DurationParser.Format(timings.NeardStallTimeout)} must be longer than the neard poll interval ({DurationParser.Format(timings.HealthPollInterval)})");
        }

        if (options.Production.Check() is { } productionProblem)
        {
            // The rules name their option first ("--max-mischance must be ...").
            var culprit = productionProblem.StartsWith(MaxMischance.Flag, StringComparison.Ordinal) ? MaxMischance : MischanceConfidence;
            return Error(culprit, productionProblem[(culprit.Flag.Length + 1)..].TrimStart());
        }

        // A member promises the failsafe only after asking Consul whether it can reach it, and fast
        // failover destroys a Consul session: on etcd both would act on the wrong service.
        if (options.Dcs == LockServiceKind.Etcd && (options.Peers.FastFailover || options.Peers.Failsafe || options.PeerAddress is not null))
        {
            var culprit = options.Peers.FastFailover ? FastFailover : options.Peers.Failsafe ? Failsafe : PeerAddress;
            return Error(culprit, "the peer channel runs with --dcs consul only; leave it out with --dcs etcd");
        }

        // knd rewrites these names in the home on every role change: a key kept there would be deleted or replaced.
        string[] managed = [Path.Combine(options.NeardHome, "validator_key.json"), Path.Combine(options.NeardHome, "node_key.json")];
        foreach (var (spec, key) in new[] { (ValidatorKey, keys.ValidatorKey), (ValidatorNodeKey, keys.ValidatorNodeKey), (VoterNodeKey, keys.VoterNodeKey) })
        {
            if (managed.Contains(key.Path, StringComparer.Ordinal))
            {
                return Error(spec, $"{ValueText.Quote(key.Path)} is a file knd replaces in the neard home on every role change; keep the key elsewhere");
            }
        }

        if (keys.VoterNodeKey.PublicKey == keys.ValidatorNodeKey.PublicKey)
        {
            return Error(VoterNodeKey, "has the same public key as --validator-node-key; each host needs its own voter node key, or a passive host would impersonate the validator's node");
        }

        if (keys.ValidatorKey.Path == keys.ValidatorNodeKey.Path)
        {
            return Error(ValidatorNodeKey, "is the same file as --validator-key; the node key is a separate network key");
        }

        foreach (var (spec, address) in new[] { (ValidatorNetworkAddr, options.ValidatorNetworkAddr), (VoterNetworkAddr, options.VoterNetworkAddr) })
        {
            if (Overlaps(options.ExporterAddress, address))
            {
                return Error(ExporterAddress, $"{options.ExporterAddress} clashes with {spec.Flag} {address}: neard could not bind its network port");
            }

            if (options.PeerAddress is { } peer && Overlaps(peer, address))
            {
                return Error(PeerAddress, $"{peer} clashes with {spec.Flag} {address}: neard could not bind its network port");
            }
        }

        if (options.PeerAddress is { } peerAddress && Overlaps(peerAddress, options.ExporterAddress))
        {
            return Error(PeerAddress, $"{peerAddress} clashes with {ExporterAddress.Flag} {options.ExporterAddress}: the peer channel needs its own port");
        }

        return null;
    }

    private static bool Overlaps(IPEndPoint a, IPEndPoint b) =>
        a.Port != 0 && a.Port == b.Port
        && (a.Address.Equals(b.Address) || IsAny(a.Address) || IsAny(b.Address));

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
