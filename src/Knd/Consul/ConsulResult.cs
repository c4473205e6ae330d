using System.Diagnostics.CodeAnalysis;

namespace Knd.Consul;

/// <summary>Why a Consul call failed. Each kind calls for a different reaction in the supervisor.</summary>
internal enum ConsulErrorKind
{
    /// <summary>500 containing "No cluster leader": retry; the cluster is electing.</summary>
    NoClusterLeader,

    /// <summary>403: the token lacks a permission or is unknown. Retrying will not help.</summary>
    PermissionDenied,

    /// <summary>404 on renew: the session was invalidated (TTL expiry, destroy).</summary>
    SessionNotFound,

    /// <summary>500 "invalid session" on acquire: the session no longer exists.</summary>
    InvalidSession,

    /// <summary>400 or another 4xx: knd sent something Consul refuses (a bug or a bad option).</summary>
    BadRequest,

    /// <summary>Any other 5xx, with Consul's text.</summary>
    ServerError,

    /// <summary>The request did not complete within its timeout.</summary>
    Timeout,

    /// <summary>Connection refused, reset, DNS failure and the like.</summary>
    Transport,

    /// <summary>Consul answered 2xx with a body knd could not parse.</summary>
    MalformedResponse,
}

/// <summary>A failed Consul call. <see cref="Message"/> never contains the ACL token.</summary>
internal sealed record ConsulError(ConsulErrorKind Kind, int? StatusCode, string Message)
{
    public override string ToString() => StatusCode is { } code ? $"{Kind} ({code}): {Message}" : $"{Kind}: {Message}";
}

/// <summary>Either a value or a <see cref="ConsulError"/>.</summary>
internal readonly record struct ConsulResult<T>
{
    // A failure has no value; it keeps default here (Value answers it as before), and TryGetValue never hands it out.
    // Built only by Ok and Fail: a default(...) of this struct is not a result.
    private readonly T _value;

    private ConsulResult(T value, ConsulError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The success value, or default on a failure. Prefer <see cref="TryGetValue"/>, which types it as T says.</summary>
    public T? Value => _value;

    /// <summary>Set exactly when the call failed.</summary>
    public ConsulError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>
    /// On a success, true with the value as <typeparamref name="T"/> says: never null for a non-nullable T,
    /// possibly null where T is nullable (a missing key answers Ok(null)). On a failure, false with the error.
    /// </summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out ConsulError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }

    public static ConsulResult<T> Ok(T value) => new(value, null);

    public static ConsulResult<T> Fail(ConsulError error) => new(default!, error);

    public static implicit operator ConsulResult<T>(ConsulError error) => Fail(error);
}
