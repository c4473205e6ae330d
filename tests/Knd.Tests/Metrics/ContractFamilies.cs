namespace Knd.Tests.Metrics;

/// <summary>The families knd exports (contract §7 plus knd_paused, knd_last_tick_age_seconds, knd_watchdog_enabled, the production watch's and the peer channel's three), with their types.</summary>
internal static class ContractFamilies
{
    public static readonly (string Name, string Type)[] All =
    [
        ("knd_build_info", "gauge"),
        ("knd_consul_requests_total", "counter"),
        ("knd_demotions_total", "counter"),
        ("knd_doppelganger_blocks_total", "counter"),
        ("knd_doppelganger_detected", "gauge"),
        ("knd_doppelganger_height", "gauge"),
        ("knd_doppelganger_hold_seconds", "gauge"),
        ("knd_failsafe_covered", "gauge"),
        ("knd_is_leader", "gauge"),
        ("knd_last_tick_age_seconds", "gauge"),
        ("knd_leader_fencing_index", "gauge"),
        ("knd_lock_holdoff_seconds", "gauge"),
        ("knd_neard_block_height", "gauge"),
        ("knd_neard_restarts_total", "counter"),
        ("knd_neard_rpc_errors_total", "counter"),
        ("knd_neard_syncing", "gauge"),
        ("knd_paused", "gauge"),
        ("knd_peer_rejected_total", "counter"),
        ("knd_peer_requests_total", "counter"),
        ("knd_production_expected", "gauge"),
        ("knd_production_last_missed_height", "gauge"),
        ("knd_production_last_produced_height", "gauge"),
        ("knd_production_mischance", "gauge"),
        ("knd_production_mischance_confidence", "gauge"),
        ("knd_production_missed", "gauge"),
        ("knd_production_not_producing", "gauge"),
        ("knd_production_produced", "gauge"),
        ("knd_production_rank", "gauge"),
        ("knd_production_scanned_height", "gauge"),
        ("knd_production_step_down_blocked", "gauge"),
        ("knd_production_streak", "gauge"),
        ("knd_promotion_backoff_seconds", "gauge"),
        ("knd_promotion_failures_total", "counter"),
        ("knd_promotions_total", "counter"),
        ("knd_self_fence_total", "counter"),
        ("knd_session_renew_age_seconds", "gauge"),
        ("knd_state", "gauge"),
        ("knd_uptime_seconds", "gauge"),
        ("knd_watchdog_enabled", "gauge"),
    ];
}
