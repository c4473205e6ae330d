using System.Globalization;
using Knd.Configuration;

namespace Knd.Localnet;

/// <summary>Checks <c>knd localnet</c>'s options; every problem is one line naming the option.</summary>
internal static class LocalnetArguments
{
    public const int MaxNodes = 16;

    public static (LocalnetOptions? Options, string? Error) Parse(
        string? nodes, string? dir, string? killLeaderAfter, string? ttl, string? lockDelay, string? promotion,
        string? watchdog, string? neardBin, string? trials, string? fault, string? json,
        bool fastFailover = false, bool failsafe = false, string? consulOutage = null, string? dcs = null, string? leaderSilence = null,
        bool chunkOnly = false)
    {
        if (dcs is not null and not ("consul" or "etcd"))
        {
            return (null, $"--dcs: '{dcs}' is not one of: consul, etcd");
        }

        var options = new LocalnetOptions { Dir = dir, NeardBin = neardBin, JsonPath = json, Dcs = dcs ?? "consul", ChunkOnly = chunkOnly };
        if (nodes is not null)
        {
            if (!int.TryParse(nodes, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxNodes)
            {
                return (null, $"--nodes: '{nodes}' is not a number of hosts from 1 to {MaxNodes}");
            }

            options = options with { Nodes = n };
        }

        if (Duration("--session-ttl", ttl, out var ttlValue) is { } e1)
        {
            return (null, e1);
        }

        if (ttlValue is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromHours(24)))
        {
            return (null, $"--session-ttl: '{ttl}' must be above 0 and at most 24h");
        }

        if (Duration("--lock-delay", lockDelay, out var lockDelayValue) is { } e2)
        {
            return (null, e2);
        }

        if (lockDelayValue > TimeSpan.FromSeconds(60))
        {
            return (null, $"--lock-delay: '{lockDelay}' is above Consul's 60s cap");
        }

        if (Duration("--watchdog", watchdog, out var watchdogValue) is { } e3)
        {
            return (null, e3);
        }

        options = options with
        {
            SessionTtl = ttlValue ?? options.SessionTtl,
            LockDelay = lockDelayValue ?? options.LockDelay,
            Watchdog = watchdogValue,
            FastFailover = fastFailover,
            Failsafe = failsafe,
        };
        if (fastFailover)
        {
            // knd's own default with --fast-failover: the fence bound + 0.5 s; an explicit value must be at least that.
            var fast = FailoverTimings.From(options.SessionTtl, lockDelayValue, neardStopTimeout: null, neardStallTimeout: TimeSpan.FromSeconds(30), fastFailover: true);
            if (fast.Check() is { } problem)
            {
                return (null, lockDelayValue is null ? $"--session-ttl: {problem}" : $"--lock-delay: {problem}");
            }

            options = options with { LockDelay = fast.LockDelay };
        }

        if (Duration("--leader-silence", leaderSilence, out var silenceValue) is { } e5)
        {
            return (null, e5);
        }

        if (silenceValue is { } silence)
        {
            if (!fastFailover)
            {
                return (null, "--leader-silence: needs --fast-failover (only fast failover acts on a silent leader)");
            }

            if (PeerRules.CheckLeaderSilence(silence, options.SessionTtl) is { } badSilence)
            {
                return (null, $"--leader-silence: '{leaderSilence}' {badSilence}");
            }

            options = options with { LeaderSilence = silence };
        }

        if (Duration("--consul-outage", consulOutage, out var outageValue) is { } e4)
        {
            return (null, e4);
        }

        if (outageValue is { } outage)
        {
            if (outage < TimeSpan.FromSeconds(1) || outage > TimeSpan.FromHours(1))
            {
                return (null, $"--consul-outage: '{consulOutage}' must be from 1s to 1h");
            }

            options = options with { ConsulOutage = outage };
        }
        if (promotion is not null && promotion is not ("restart" or "hot-swap"))
        {
            return (null, $"--promotion: '{promotion}' is not one of: restart, hot-swap");
        }

        options = options with { Promotion = promotion ?? options.Promotion };
        if (watchdogValue is { } w && new LocalnetTimings(options).Knd.CheckWatchdog(w) is { } unsafeWatchdog)
        {
            // knd itself would refuse to start under it (exit 78).
            return (null, $"--watchdog: {unsafeWatchdog}");
        }

        if (killLeaderAfter is not null)
        {
            if (!TrySeconds(killLeaderAfter, out var after))
            {
                return (null, $"--kill-leader-after: '{killLeaderAfter}' is not a number of seconds or a duration such as 30s");
            }

            options = options with { KillLeaderAfter = after };
        }

        return Benchmark(options, trials, fault, json);
    }

    private static (LocalnetOptions? Options, string? Error) Benchmark(LocalnetOptions options, string? trials, string? fault, string? json)
    {
        if (trials is null)
        {
            return fault is not null ? (null, "--fault: needs --trials K (the chaos benchmark)")
                : json is not null ? (null, "--json: needs --trials K (the chaos benchmark)")
                : (options, null);
        }

        if (!int.TryParse(trials, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1 || k > 10_000)
        {
            return (null, $"--trials: '{trials}' is not a number of trials from 1 to 10000");
        }

        if (fault is null)
        {
            return (null, "--trials: needs --fault KIND (" + string.Join(", ", FaultKinds.All.Select(f => f.Name)) + ", or all)");
        }

        if (FaultKinds.Parse(fault, options.OnEtcd) is not { } faults)
        {
            return (null, $"--fault: '{fault}' is not one of: " + string.Join(", ", FaultKinds.All.Select(f => f.Name)) + ", all");
        }

        if (faults.Where(f => !f.RunsOn(options.OnEtcd)).Select(f => f.Name()).FirstOrDefault() is { } offService)
        {
            return (null, $"--fault: {offService} needs --dcs etcd");
        }

        if (options.KillLeaderAfter is not null)
        {
            return (null, "--kill-leader-after: not with --trials (the benchmark injects its own faults)");
        }

        if (options.Nodes < 2)
        {
            return (null, "--nodes: the chaos benchmark needs at least 2 hosts, one to fail over to");
        }

        return (options with { Trials = k, Faults = faults }, null);
    }

    private static string? Duration(string option, string? text, out TimeSpan? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var parsed, out var problem))
        {
            return $"{option}: {problem}";
        }

        value = parsed;
        return null;
    }

    private static bool TrySeconds(string text, out TimeSpan value)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 1e6)
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return DurationParser.TryParse(text, out value, out _);
    }
}
