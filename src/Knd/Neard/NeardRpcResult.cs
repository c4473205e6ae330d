using System.Diagnostics.CodeAnalysis;

namespace Knd.Neard;

/// <summary>Why a neard RPC call failed. Each is a health failure, but they read differently in logs.</summary>
internal enum NeardRpcErrorKind
{
    /// <summary>No complete answer within the per-call timeout: a hung RPC (kuutamod waited forever).</summary>
    Timeout,

    /// <summary>Nothing listens on the RPC port (neard not up yet, or gone).</summary>
    ConnectionRefused,

    /// <summary>Another transport failure: reset, closed mid-answer, unreachable.</summary>
    Transport,

    /// <summary>GET /status answered 503: neard runs but is not ready.</summary>
    NotReady,

    /// <summary>A JSON-RPC error object; <see cref="NeardRpcError.RpcName"/> and <see cref="NeardRpcError.RpcCause"/> say which.</summary>
    RpcError,

    /// <summary>An HTTP status knd does not expect, without a JSON-RPC error body.</summary>
    HttpError,

    /// <summary>An answer knd could not parse, or that lacks a field knd needs.</summary>
    MalformedResponse,
}

/// <summary>A failed neard RPC call.</summary>
internal sealed record NeardRpcError(NeardRpcErrorKind Kind, string Message, int? StatusCode = null, string? RpcName = null, string? RpcCause = null, long? RpcCode = null)
{
    public override string ToString()
    {
        var status = StatusCode is { } code ? $" ({code})" : string.Empty;
        var rpc = RpcName is null ? string.Empty : $" [{RpcName}{(RpcCause is null ? string.Empty : "/" + RpcCause)}]";
        return $"{Kind}{status}{rpc}: {Message}";
    }
}

/// <summary>Either a value or a <see cref="NeardRpcError"/>.</summary>
internal readonly record struct NeardRpcResult<T>
{
    // A failure has no value; it keeps default here (Value answers it as before), and TryGetValue never hands it out.
    // Built only by Ok and Fail: a default(...) of this struct is not a result.
    private readonly T _value;

    private NeardRpcResult(T value, NeardRpcError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The success value, or default on a failure. Prefer <see cref="TryGetValue"/>, which types it as T says.</summary>
    public T? Value => _value;

    /// <summary>Set exactly when the call failed.</summary>
    public NeardRpcError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>
    /// On a success, true with the value as <typeparamref name="T"/> says: never null for a non-nullable T,
    /// possibly null where T is nullable (a missing key answers Ok(null)). On a failure, false with the error.
    /// </summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out NeardRpcError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }

    public static NeardRpcResult<T> Ok(T value) => new(value, null);

    public static NeardRpcResult<T> Fail(NeardRpcError error) => new(default!, error);

    public static implicit operator NeardRpcResult<T>(NeardRpcError error) => Fail(error);
}
