namespace Knd.Systemd;

/// <summary>
/// The "knd freezes" rule of docs/failover-algorithm.md: a frozen leader's neard must be killed by
/// the service manager before its session can expire. knd pings every W/2 and only after a loop
/// tick within that half period, so the manager fires at most 1.5 W after the last tick.
/// </summary>
internal static class WatchdogRule
{
    /// <summary>An error naming both settings, or null when the watchdog (if any) is short enough.</summary>
    public static string? Check(FailoverTimings timings, TimeSpan? watchdog)
    {
        if (watchdog is not { } w)
        {
            return null;
        }

        var deadBy = timings.FenceAfter + timings.TickInterval + (w * 1.5);
        return deadBy < timings.SessionTtl
            ? null
            : $"the service manager's watchdog ({w.TotalMilliseconds:0} ms, WatchdogSec/WATCHDOG_USEC) is too long for a {timings.SessionTtl.TotalMilliseconds:0} ms session TTL: a frozen leader's neard could live {deadBy.TotalMilliseconds:0} ms after its last renewal; lower WatchdogSec below {((timings.SessionTtl - timings.FenceAfter - timings.TickInterval) / 1.5).TotalMilliseconds:0} ms or raise --session-ttl";
    }
}
