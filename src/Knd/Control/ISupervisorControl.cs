using System.Diagnostics.CodeAnalysis;

namespace Knd.Control;

/// <summary>
/// What the control socket asks of the running daemon. The supervisor implements it; the socket
/// server only parses requests, calls this, and renders the answers.
/// </summary>
internal interface ISupervisorControl
{
    /// <summary>The node holding the lock, or null when nobody does; <see cref="ControlFailure.Unavailable"/> when Consul cannot say.</summary>
    Task<ControlOutcome<ActiveValidatorInfo?>> GetActiveValidatorAsync(CancellationToken cancellationToken);

    /// <summary>Schedules (or with <see cref="MaintenanceRequest.Cancel"/> cancels) a maintenance shutdown or restart.</summary>
    Task<ControlOutcome<MaintenanceStatus>> ScheduleMaintenanceAsync(MaintenanceRequest request, CancellationToken cancellationToken);

    Task<MaintenanceStatus> GetMaintenanceStatusAsync(CancellationToken cancellationToken);

    /// <summary>Starts a planned handover from the current leader to <see cref="SwitchoverRequest.To"/> (or any ready passive).</summary>
    Task<ControlOutcome<SwitchoverStatus>> SwitchoverAsync(SwitchoverRequest request, CancellationToken cancellationToken);

    Task<SwitchoverStatus> GetSwitchoverStatusAsync(CancellationToken cancellationToken);

    /// <summary>Cancels the switchover that waits for its window; refused once it is handing over, or when none waits.</summary>
    Task<ControlOutcome<SwitchoverStatus>> CancelSwitchoverAsync(CancellationToken cancellationToken);

    /// <summary>Every member record, the lock holder and the pause flag (<c>knd list</c>).</summary>
    Task<ControlOutcome<MemberListView>> ListMembersAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a stale member's record (<c>knd remove-member</c>); refuses the leader's and a live one's.</summary>
    Task<ControlOutcome<string>> RemoveMemberAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>Sets the cluster-wide pause flag for this validator (true = no automatic failover).</summary>
    Task<ControlOutcome<bool>> SetPausedAsync(bool paused, CancellationToken cancellationToken);
}

/// <summary>Why a control operation did not happen.</summary>
internal enum ControlFailure
{
    None,

    /// <summary>knd will not do it as asked (no duty-free window, not the leader...): 409.</summary>
    Refused,

    /// <summary>knd cannot get the answer or make the change: Consul (or neard) does not answer or refuses; 502.</summary>
    Unavailable,
}

/// <summary>Either a value, or a failure with a one-line reason that names its cause (CLI exit code 1).</summary>
internal sealed record ControlOutcome<T>
{
    // A failure has no value; it keeps default here (Value answers it as before), and TryGetValue never hands it out.
    private readonly T _value;

    private ControlOutcome(T value, string? error, ControlFailure failure)
    {
        _value = value;
        Error = error;
        Failure = failure;
    }

    /// <summary>The success value, or default on a failure. Prefer <see cref="TryGetValue"/>, which types it as T says.</summary>
    public T? Value => _value;

    /// <summary>Set exactly when the operation failed.</summary>
    public string? Error { get; }

    public ControlFailure Failure { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool Ok => Error is null;

    /// <summary>
    /// On a success, true with the value as <typeparamref name="T"/> says: never null for a non-nullable T,
    /// possibly null where T is nullable (no active validator answers Success(null)). On a failure, false.
    /// </summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return Ok;
    }

    public static ControlOutcome<T> Success(T value) => new(value, null, ControlFailure.None);

    public static ControlOutcome<T> Refused(string error) => new(default!, error, ControlFailure.Refused);

    public static ControlOutcome<T> Unavailable(string error) => new(default!, error, ControlFailure.Unavailable);

    /// <summary>The same failure, for an operation of another type that depended on this one.</summary>
    public ControlOutcome<TOther> As<TOther>() => new(default!, Error ?? "knd gave no answer", Failure == ControlFailure.None ? ControlFailure.Refused : Failure);
}

/// <summary><c>knd active-validator --json</c>: <c>{"node_id","session_id","since"}</c>.</summary>
internal sealed record ActiveValidatorInfo(string NodeId, string SessionId, DateTimeOffset? Since)
{
    /// <summary>The Consul node of the holder's session (kuutamod's <c>Node</c>); null when Consul did not say. Not in knd's JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ConsulNode { get; init; }
}

/// <summary>
/// <c>knd maintenance-shutdown|maintenance-restart [MINIMUM_LENGTH] [--shutdown-at H] [--cancel]</c>.
/// At most one of <see cref="MinimumLength"/> and <see cref="ShutdownAt"/> is set.
/// </summary>
internal sealed record MaintenanceRequest(MaintenanceKind Kind, long? MinimumLength, long? ShutdownAt, bool Cancel);

/// <summary>What is scheduled: nothing (<see cref="Kind"/> null), or a shutdown/restart at <see cref="ShutdownAt"/>.</summary>
internal sealed record MaintenanceStatus(MaintenanceKind? Kind, long? ShutdownAt, long? CurrentHeight, long? WindowStart, long? WindowEnd, string Message);

/// <summary><c>knd switchover [--to NODE] [--dry-run]</c>.</summary>
internal sealed record SwitchoverRequest(string? To, bool DryRun = false);

/// <summary>
/// Where a switchover stands: <see cref="Phase"/> is none, dry-run, pending, waiting-for-window,
/// handing-over, done, failed or cancelled. While it waits, <see cref="WindowHeight"/> and
/// <see cref="WindowAt"/> say where and when the next long-enough duty-free window starts.
/// </summary>
internal sealed record SwitchoverStatus(
    string Phase,
    string? From,
    string? To,
    string Message,
    string? Id = null,
    string? RequestedBy = null,
    DateTimeOffset? RequestedAt = null,
    long? WindowHeight = null,
    DateTimeOffset? WindowAt = null);
