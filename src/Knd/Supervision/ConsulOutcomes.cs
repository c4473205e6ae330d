using Knd.Consul;

namespace Knd.Supervision;

/// <summary>Maps Consul's answers onto the failover core's lock-service vocabulary.</summary>
internal static class ConsulOutcomes
{
    public static LockServiceError ToLockServiceError(this ConsulError error) => new(Failure(error.Kind), error.ToString());

    /// <summary>For the control socket: the cause in words ("cannot reach Consul at ..."), without the kind.</summary>
    public static LockServiceError ToCause(this ConsulError error) => new(Failure(error.Kind), error.Message);

    public static LockAcquireOutcome ToOutcome(this AcquireOutcome outcome) => outcome switch
    {
        AcquireOutcome.Acquired => LockAcquireOutcome.Acquired,
        AcquireOutcome.HeldByOther => LockAcquireOutcome.HeldByOther,
        AcquireOutcome.LockDelay => LockAcquireOutcome.LockDelay,
        AcquireOutcome.SessionGone => LockAcquireOutcome.SessionGone,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown acquire outcome"),
    };

    private static LockServiceFailure Failure(ConsulErrorKind kind) => kind switch
    {
        ConsulErrorKind.SessionNotFound or ConsulErrorKind.InvalidSession => LockServiceFailure.SessionGone,
        ConsulErrorKind.Timeout or ConsulErrorKind.Transport => LockServiceFailure.Unreachable,
        ConsulErrorKind.PermissionDenied or ConsulErrorKind.BadRequest => LockServiceFailure.Refused,
        ConsulErrorKind.MalformedResponse => LockServiceFailure.Malformed,
        _ => LockServiceFailure.Unavailable,
    };
}
