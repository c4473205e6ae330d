namespace Knd.Failover;

/// <summary>
/// Why a request to the lock service did not succeed, as far as the failover decision cares. The
/// lock service is a store with sessions that expire unless renewed, keys a session can hold, and a
/// watch on a key (Consul today); each backend's driver maps its own answers onto these.
/// </summary>
internal enum LockServiceFailure
{
    /// <summary>The session no longer exists (Consul: renew 404, acquire "invalid session"): create a new one.</summary>
    SessionGone,

    /// <summary>No answer in time, or the connection failed.</summary>
    Unreachable,

    /// <summary>The service answered but cannot serve now (no cluster leader, a server error).</summary>
    Unavailable,

    /// <summary>The service refused the request (permission denied, bad request): retrying as is will not help.</summary>
    Refused,

    /// <summary>The service answered something that could not be understood.</summary>
    Malformed,
}

/// <summary>A failed lock-service request: its kind and a message for the operator (never a secret).</summary>
internal sealed record LockServiceError(LockServiceFailure Kind, string Message)
{
    public override string ToString() => Message;
}

/// <summary>What an attempt to take the lock key with this node's session came to.</summary>
internal enum LockAcquireOutcome
{
    Acquired,

    /// <summary>Another session holds the key.</summary>
    HeldByOther,

    /// <summary>The key is free but the service refuses it for now (Consul's lock-delay after an invalidation).</summary>
    LockDelay,

    /// <summary>The session no longer exists: create a new one.</summary>
    SessionGone,

    /// <summary>The request failed (see the event's error); the lock may or may not have been taken.</summary>
    Failed,
}

/// <summary>What the lock key's value says about its holder: the node and, on a planned release, the node it is meant for.</summary>
internal sealed record LockHolder(string NodeId, string? HandoverTo = null);

/// <summary>
/// The lock key as the watch last saw it. <paramref name="Holder"/> is the session holding it (null
/// when unlocked or missing); <paramref name="ModifyIndex"/> the key's last write;
/// <paramref name="Index"/> the service's index at the answer (Consul's <c>X-Consul-Index</c>), which
/// never goes backwards unless the service lost or restored its state.
/// </summary>
internal sealed record LockObservation(bool Exists, string? Holder, LockHolder? Value, ulong ModifyIndex, ulong Index)
{
    /// <summary>The key does not exist at all (with Behavior=release it never disappears in normal operation).</summary>
    public static LockObservation Missing(ulong index) => new(false, null, null, 0, index);

    /// <summary>The key exists and no session holds it.</summary>
    public static LockObservation Free(ulong modifyIndex, LockHolder? value = null) => new(true, null, value, modifyIndex, modifyIndex);
}
