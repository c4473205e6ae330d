namespace Knd.Consul;

/// <summary>Stable operation and outcome names for logs and the <c>knd_consul_requests_total{op,outcome}</c> metric.</summary>
internal static class ConsulOperations
{
    public const string SessionCreate = "session_create";
    public const string SessionRenew = "session_renew";
    public const string SessionDestroy = "session_destroy";
    public const string SessionInfo = "session_info";
    public const string SessionList = "session_list";
    public const string KvGet = "kv_get";
    public const string KvPut = "kv_put";
    public const string KvAcquire = "kv_acquire";
    public const string KvRelease = "kv_release";
    public const string KvDelete = "kv_delete";
    public const string StatusLeader = "status_leader";
    public const string AgentSelf = "agent_self";

    public const string Ok = "ok";

    public static string Outcome(ConsulErrorKind kind) => kind switch
    {
        ConsulErrorKind.NoClusterLeader => "no_cluster_leader",
        ConsulErrorKind.PermissionDenied => "permission_denied",
        ConsulErrorKind.SessionNotFound => "session_not_found",
        ConsulErrorKind.InvalidSession => "invalid_session",
        ConsulErrorKind.BadRequest => "bad_request",
        ConsulErrorKind.ServerError => "server_error",
        ConsulErrorKind.Timeout => "timeout",
        ConsulErrorKind.Transport => "transport",
        ConsulErrorKind.MalformedResponse => "malformed_response",
        _ => "unknown",
    };
}
