using Grpc.Core;

namespace Knd.Etcd;

/// <summary>
/// Maps gRPC statuses (etcd's own errors are gRPC statuses with an <c>etcdserver:</c> text) onto the
/// core's <see cref="LockServiceFailure"/> kinds. Messages carry etcd's text, never a password or token.
/// </summary>
internal static class EtcdErrors
{
    private const int MaxDetail = 300;

    /// <summary>The one error etcd answers for a lease it does not know: renew, put with the lease, revoke.</summary>
    private const string LeaseNotFound = "requested lease not found";

    public static LockServiceError FromRpc(string operation, RpcException exception) => FromStatus(operation, exception.StatusCode, exception.Status.Detail);

    public static LockServiceError FromStatus(string operation, StatusCode code, string? detail)
    {
        var text = Trim(detail);
        var kind = Kind(code, text);
        var what = kind switch
        {
            LockServiceFailure.SessionGone => "the lease is gone",
            LockServiceFailure.Unreachable => "etcd could not be reached",
            LockServiceFailure.Unavailable => "etcd cannot serve it now",
            LockServiceFailure.Refused => "etcd refused it",
            _ => "etcd answered something knd cannot read",
        };
        return new LockServiceError(kind, $"etcd {operation}: {what} ({code}: {text})");
    }

    /// <summary>Our own deadline: the request may or may not have been applied.</summary>
    public static LockServiceError Timeout(string operation, TimeSpan timeout) =>
        new(LockServiceFailure.Unreachable, $"etcd {operation}: no answer within {(long)timeout.TotalMilliseconds} ms");

    /// <summary>An answer that does not hold what the request must produce (a missing header, a short transaction).</summary>
    public static LockServiceError Malformed(string operation, string what) =>
        new(LockServiceFailure.Malformed, $"etcd {operation}: etcd answered {what}");

    /// <summary>Needs a new token: the cached one expired (simple tokens live <c>--auth-token-ttl</c> idle) or the auth store moved on.</summary>
    public static bool IsStaleToken(RpcException exception) =>
        exception.StatusCode == StatusCode.Unauthenticated
        || (exception.StatusCode == StatusCode.InvalidArgument && exception.Status.Detail.Contains("revision of auth store is old", StringComparison.Ordinal));

    internal static LockServiceFailure Kind(StatusCode code, string detail) => code switch
    {
        StatusCode.NotFound when detail.Contains(LeaseNotFound, StringComparison.Ordinal) => LockServiceFailure.SessionGone,

        // etcd's own Unavailable answers (no leader, leader changed, request timed out for want of a
        // quorum, stopping) come from a member that is up; anything else is the connection.
        StatusCode.Unavailable when detail.StartsWith("etcdserver:", StringComparison.Ordinal) => LockServiceFailure.Unavailable,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => LockServiceFailure.Unreachable,
        StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument or StatusCode.FailedPrecondition
            or StatusCode.OutOfRange or StatusCode.Unimplemented or StatusCode.NotFound or StatusCode.AlreadyExists => LockServiceFailure.Refused,

        // Not a gRPC answer at all (an HTTP/1 proxy, a wrong port) or one that does not parse.
        StatusCode.Internal when detail.Contains("Bad gRPC response", StringComparison.Ordinal) || detail.Contains("deserializ", StringComparison.OrdinalIgnoreCase) => LockServiceFailure.Malformed,
        _ => LockServiceFailure.Unavailable,
    };

    private static string Trim(string? detail)
    {
        var text = (detail ?? string.Empty).ReplaceLineEndings(" ").Trim();
        if (text.Length == 0)
        {
            return "no detail";
        }

        return text.Length <= MaxDetail ? text : string.Concat(text.AsSpan(0, MaxDetail), "...");
    }
}
