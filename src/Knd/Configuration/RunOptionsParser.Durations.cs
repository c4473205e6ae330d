using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The duration options and Consul's bounds on them.</summary>
internal sealed partial class RunOptionsParser
{
    /// <summary>The TTL; below Consul's default session_ttl_min a warning, on Consul only (etcd checks its own minimum at the grant, which knd refuses when shortened).</summary>
    private TimeSpan ParseSessionTtl(LockServiceKind dcs)
    {
        var value = FindSingle(SessionTtl);
        var ttl = ParseDuration(SessionTtl, RunOptionDefaults.DefaultSessionTtl, allowZero: false, max: RunOptionDefaults.ConsulMaxSessionTtl, maxReason: "Consul's maximum session TTL");
        if (dcs == LockServiceKind.Consul && value is not null && ttl < RunOptionDefaults.ConsulDefaultSessionTtlMin)
        {
            _warnings.Add(new RunOptionError(SessionTtl.Flag, value.Origin.Describe(),
                $"{DurationParser.Format(ttl)} is below Consul's default session_ttl_min ({DurationParser.Format(RunOptionDefaults.ConsulDefaultSessionTtlMin)}); "
                + "Consul refuses the session unless its servers set a lower session_ttl_min").ToString());
        }

        return ttl;
    }

    private TimeSpan ParseDuration(RunOptionSpec spec, TimeSpan fallback, bool allowZero, TimeSpan? max = null, string? maxReason = null)
    {
        if (FindSingle(spec) is not { } value)
        {
            return fallback;
        }

        if (!DurationParser.TryParse(value.Text, out var duration, out var problem))
        {
            throw Fail(value, problem!);
        }

        if (duration == TimeSpan.Zero && !allowZero)
        {
            var why = spec == SessionTtl ? ": a session without a TTL never expires, so a dead leader's lock would never be freed" : "; it must be above 0";
            throw Fail(value, $"{ValueText.Quote(value.Text)} is not allowed{why}");
        }

        if (duration > max)
        {
            throw Fail(value, $"{ValueText.Quote(value.Text)} is above {maxReason} of {DurationParser.Format(max.Value)}");
        }

        return duration;
    }
}
