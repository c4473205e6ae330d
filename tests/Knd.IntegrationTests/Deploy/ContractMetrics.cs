using System.Text.RegularExpressions;

namespace Knd.IntegrationTests.Deploy;

/// <summary>The metric names of contract section 7: the only ones rules and dashboards may use.</summary>
internal static partial class ContractMetrics
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "knd_state",
        "knd_is_leader",
        "knd_neard_restarts_total",
        "knd_promotions_total",
        "knd_demotions_total",
        "knd_self_fence_total",
        "knd_consul_requests_total",
        "knd_session_renew_age_seconds",
        "knd_neard_rpc_errors_total",
        "knd_neard_block_height",
        "knd_neard_syncing",
        "knd_leader_fencing_index",
        "knd_uptime_seconds",
        "knd_build_info",
        "knd_paused",
        "knd_watchdog_enabled",
        "knd_production_expected",
        "knd_production_produced",
        "knd_production_missed",
        "knd_production_mischance",
        "knd_production_mischance_confidence",
        "knd_production_rank",
        "knd_production_streak",
        "knd_production_last_produced_height",
        "knd_production_last_missed_height",
        "knd_production_scanned_height",
        "knd_production_not_producing",
        "knd_production_step_down_blocked",
        "knd_doppelganger_detected",
        "knd_doppelganger_height",
        "knd_doppelganger_hold_seconds",
        "knd_doppelganger_blocks_total",
        "knd_failsafe_covered",
        "knd_peer_requests_total",
        "knd_peer_rejected_total",
    };

    /// <summary>Every knd_* name in <paramref name="text"/> that is not a contract metric.</summary>
    public static IReadOnlyList<string> Unknown(string text) =>
        KndName().Matches(text).Select(m => m.Value).Where(n => !Names.Contains(n)).Distinct().ToList();

    /// <summary>Every contract metric named in <paramref name="text"/>.</summary>
    public static IReadOnlySet<string> Used(string text) =>
        KndName().Matches(text).Select(m => m.Value).Where(Names.Contains).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\bknd_[a-z0-9_]+\b")]
    private static partial Regex KndName();
}
