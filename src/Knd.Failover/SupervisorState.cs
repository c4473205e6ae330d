namespace Knd.Failover;

/// <summary>
/// The states of docs/failover-algorithm.md. The names are kuutamod's, so dashboards, alerts and
/// runbooks written for <c>kuutamod_state{type=...}</c> carry over.
/// </summary>
internal enum SupervisorState
{
    /// <summary>Starting neard as a voter (no validator key) and waiting for its RPC.</summary>
    Startup,

    /// <summary>neard answers but is still catching up with the chain.</summary>
    Syncing,

    /// <summary>neard is synced; creating the Consul session.</summary>
    Registering,

    /// <summary>Passive: a session exists; waiting for the lock to become free and taking it when healthy.</summary>
    Voting,

    /// <summary>This host holds the lock and runs neard with the validator key (or is promoting / demoting).</summary>
    Validating,

    /// <summary>knd is stopping: neard stopped, lock released, session destroyed.</summary>
    Shutdown,
}

/// <summary>Whether neard runs with the validator key.</summary>
internal enum NeardMode
{
    Voter,
    Validator,
}

/// <summary>Why a leader left Validating; the label of <c>knd_demotions_total{reason}</c>.</summary>
internal enum DemotionReason
{
    /// <summary>No renewal succeeded for <c>FenceAfter</c>: the leader cannot prove it holds the lock.</summary>
    SelfFence,

    /// <summary>The lock key shows another session (or none) after this host acquired it.</summary>
    LockLost,

    /// <summary>Consul says the session no longer exists.</summary>
    SessionLost,

    /// <summary>The validating neard exited on its own.</summary>
    NeardExit,

    /// <summary>neard's RPC failed repeatedly or its head stopped advancing.</summary>
    Unhealthy,

    /// <summary>neard reported syncing for longer than the grace period.</summary>
    OutOfSync,

    /// <summary>The hot-swapped key was not picked up by neard in time.</summary>
    PromotionFailed,

    /// <summary>knd was asked to stop (SIGTERM/SIGINT).</summary>
    Shutdown,

    /// <summary>A planned switchover to another node.</summary>
    Switchover,

    /// <summary>A maintenance shutdown or restart reached its height.</summary>
    Maintenance,

    /// <summary>
    /// The lock service lost or rolled back its state (an index went backwards): nothing it said about
    /// this node's lock can be trusted, so the leader stops at once.
    /// </summary>
    StateLost,

    /// <summary>The production watch found the leader not producing (mischance over --max-mischance) and a passive ready to take over.</summary>
    NotProducing,
}
