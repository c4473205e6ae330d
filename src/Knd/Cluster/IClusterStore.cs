using System.Diagnostics.CodeAnalysis;

namespace Knd.Cluster;

/// <summary>Who holds the lock key and what its value says.</summary>
/// <param name="SessionId">The holding session (on etcd, the lease id).</param>
/// <param name="Value">The lock value, or null when it is not knd's or kuutamod's JSON.</param>
/// <param name="SessionName">The session's name (knd: the node id), when the lock service keeps one.</param>
/// <param name="ServiceNode">The lock service's node the session lives on (Consul's node), when there is one.</param>
internal sealed record LockHolding(string SessionId, LockValue? Value, string? SessionName, string? ServiceNode);

/// <summary>An answer of <see cref="IClusterStore"/>: a value or the lock service's error (never a secret in it).</summary>
internal readonly record struct ClusterStoreResult<T>
{
    // A failure has no value; it keeps default here (Value answers it as before), and TryGetValue never hands it out.
    // Built only by Ok and Fail: a default(...) of this struct is not a result.
    private readonly T _value;

    private ClusterStoreResult(T value, LockServiceError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The success value, or default on a failure. Prefer <see cref="TryGetValue"/>, which types it as T says.</summary>
    public T? Value => _value;

    /// <summary>Set exactly when the call failed.</summary>
    public LockServiceError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>
    /// On a success, true with the value as <typeparamref name="T"/> says: never null for a non-nullable T,
    /// possibly null where T is nullable (nobody holds the lock answers Ok(null)). On a failure, false with the error.
    /// </summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out LockServiceError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }

    public static ClusterStoreResult<T> Ok(T value) => new(value, null);

    public static ClusterStoreResult<T> Fail(LockServiceError error) => new(default!, error);
}

/// <summary>
/// The cluster keys the control socket and the coordinators read and write beside the lock (who holds
/// it, the pause flag, the switchover record), on whichever lock service the daemon runs on.
/// </summary>
internal interface IClusterStore
{
    /// <summary>A linearizable read of the lock key: its holder, or null when nobody holds it.</summary>
    Task<ClusterStoreResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="key"/>. <paramref name="expectedIndex"/>: null writes regardless, 0 only
    /// creates, n only replaces the version a <see cref="ClusterObservation"/> reported at index n.
    /// False when that condition did not hold.
    /// </summary>
    Task<ClusterStoreResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="key"/> whatever it holds; true once it is gone.</summary>
    Task<ClusterStoreResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken);
}
