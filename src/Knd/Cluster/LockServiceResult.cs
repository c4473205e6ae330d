using System.Diagnostics.CodeAnalysis;

namespace Knd.Cluster;

/// <summary>
/// Either a value or a <see cref="LockServiceError"/> in the failover core's own vocabulary (never a
/// secret in it): every <see cref="IClusterStore"/> and etcd call answers with one of these, never with
/// an exception (a cancelled caller token aside).
/// </summary>
internal readonly record struct LockServiceResult<T>
{
    // A failure has no value; it keeps default here (Value answers it as before), and TryGetValue never hands it out.
    // Built only by Ok and Fail: a default(...) of this struct is not a result.
    private readonly T _value;

    private LockServiceResult(T value, LockServiceError? error)
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
    /// possibly null where T is nullable (a missing key, or nobody holding the lock, answers Ok(null)). On a failure, false with the error.
    /// </summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out LockServiceError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }

    public static LockServiceResult<T> Ok(T value) => new(value, null);

    public static LockServiceResult<T> Fail(LockServiceError error) => new(default!, error);

    public static implicit operator LockServiceResult<T>(LockServiceError error) => Fail(error);
}
