namespace Knd.Failover;

/// <summary>Something the shell must do; its result comes back as a <see cref="SupervisorEvent"/>.</summary>
internal abstract record SupervisorAction;

/// <summary>Prepare the home for <paramref name="Mode"/> and start neard; answers with NeardStarted / NeardStartFailed.</summary>
internal sealed record StartNeardAction(int Generation, NeardMode Mode) : SupervisorAction;

/// <summary>SIGTERM, bounded wait, SIGKILL, confirmed exit; answers with NeardStopped.</summary>
internal sealed record StopNeardAction(int Generation, string Reason) : SupervisorAction;

/// <summary>Hot swap: place the validator key in the home and send SIGHUP; answers with KeyInstalled.</summary>
internal sealed record InstallKeyAction(int Generation) : SupervisorAction;

/// <summary>Delete validator_key.json from the home. Done only once no neard of ours can be running with it.</summary>
internal sealed record RemoveValidatorKeyAction : SupervisorAction;

internal sealed record CreateSessionAction : SupervisorAction;

internal sealed record RenewSessionAction(string SessionId) : SupervisorAction;

/// <summary>Destroy the session, retrying in the background until Consul confirms or the session would have expired anyway.</summary>
internal sealed record DestroySessionAction(string SessionId) : SupervisorAction;

internal sealed record AcquireLockAction(string SessionId) : SupervisorAction;

/// <summary>A <c>?consistent</c> read of the lock key after acquiring (contract §4.2).</summary>
internal sealed record ConfirmLockAction(string SessionId) : SupervisorAction;

/// <summary>
/// A consistent, non-blocking read of the lock key, sent now: the production watch's check that the
/// lock is still free, unchanged since its free streak began, before it names a block a stranger's.
/// Answers with <see cref="LockCheckedEvent"/>.
/// </summary>
internal sealed record CheckLockAction : SupervisorAction;

/// <summary>Release the lock, optionally naming the node a planned handover is meant for.</summary>
internal sealed record ReleaseLockAction(string SessionId, string? HandoverTo) : SupervisorAction;

/// <summary>knd's work is done; the process should exit with <paramref name="ExitCode"/>.</summary>
internal sealed record ExitAction(int ExitCode) : SupervisorAction;

/// <summary>Set the cluster-wide pause flag (as <c>knd pause</c> does), saying why: a signer outside the cluster was seen.</summary>
internal sealed record PauseClusterAction(string Reason) : SupervisorAction;

/// <summary>Fast failover: destroy the session of the leader <paramref name="NodeId"/>, which can no longer renew, so the lock-delay starts now.</summary>
internal sealed record DestroyLeaderSessionAction(string SessionId, string NodeId) : SupervisorAction;

/// <summary>Failsafe: ask every member for a promise of <paramref name="Duration"/>; each answer comes back as a <see cref="PromiseAnsweredEvent"/>.</summary>
internal sealed record RequestPromisesAction(string SessionId, TimeSpan Duration) : SupervisorAction;

/// <summary>Answer the promise request <paramref name="RequestId"/>.</summary>
internal sealed record AnswerPromiseAction(long RequestId, bool Granted, TimeSpan Duration, string? Reason) : SupervisorAction;


/// <summary>
/// Run the operator's pre-promote hook (<c>--pre-promote</c>) for attempt <paramref name="Attempt"/>:
/// the lock is held and confirmed, neard has no key yet. Answers with <see cref="PrePromoteFinishedEvent"/>.
/// </summary>
internal sealed record RunPrePromoteAction(int Attempt) : SupervisorAction;
