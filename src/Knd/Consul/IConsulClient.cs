namespace Knd.Consul;

/// <summary>
/// The subset of Consul's HTTP API that knd uses (stands in for Consul.NET). Every call has a
/// timeout and returns a typed outcome instead of throwing for Consul-level failures, so the
/// supervisor can tell "lock held by another session" from "no cluster leader" from "timeout".
/// Every answer is validated: a malformed one (null entries, missing or mistyped fields, a missing,
/// unreadable, 0, absurd or backwards <c>X-Consul-Index</c>) is a <see cref="ConsulErrorKind.MalformedResponse"/>,
/// never an exception.
/// </summary>
internal interface IConsulClient
{
    /// <summary>
    /// Cancelled when Consul answers again after a request could not reach it (a timeout or a
    /// transport error), then replaced. A blocking query sent before then may have gone into the
    /// outage and will hang until its own timeout (the wait plus a margin, 30 s and more) although
    /// Consul now answers: a watch that captured this token restarts at once instead.
    /// </summary>
    CancellationToken Reconnected => CancellationToken.None;

    Task<ConsulResult<string>> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken);

    /// <summary>Renews a session. A 404 comes back as <see cref="ConsulErrorKind.SessionNotFound"/>.</summary>
    Task<ConsulResult<SessionEntry>> RenewSessionAsync(string sessionId, CancellationToken cancellationToken);

    Task<ConsulResult<bool>> DestroySessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The session, or a null value when Consul answers <c>[]</c> (the session is gone).</summary>
    Task<ConsulResult<SessionEntry?>> GetSessionInfoAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// The sessions of one Consul node (<c>/v1/session/node/:node</c>), or of every node when
    /// <paramref name="node"/> is null (<c>/v1/session/list</c>), with the sessions table's index.
    /// </summary>
    Task<ConsulResult<SessionListResult>> ListSessionsAsync(string? node, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one key. A missing key is a success with a null entry (Consul's 404), so blocking
    /// queries on a key that does not exist yet work. <paramref name="query"/> carries index/wait/consistency.
    /// </summary>
    Task<ConsulResult<KvGetResult>> GetKeyAsync(string key, KvQuery query, CancellationToken cancellationToken);

    /// <summary>Every key under a prefix (<c>?recurse</c>), with blocking/consistency options; none is an empty list.</summary>
    Task<ConsulResult<KvListResult>> ListAsync(string prefix, KvQuery query, CancellationToken cancellationToken);

    /// <summary>Plain PUT (optionally with <c>?cas=</c> and <c>?flags=</c>). Value is <c>true</c>/<c>false</c> as Consul answers.</summary>
    Task<ConsulResult<bool>> PutKeyAsync(string key, ReadOnlyMemory<byte> value, KvPutOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>PUT ?acquire=</c>. When Consul answers <c>false</c> a follow-up read tells a lock held by
    /// another session from a lock-delay; a 500 <c>invalid session</c> becomes <see cref="AcquireOutcome.SessionGone"/>.
    /// </summary>
    Task<ConsulResult<AcquireResult>> AcquireAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken);

    /// <summary><c>PUT ?release=</c>; the value and flags are written back, since a release overwrites them.</summary>
    Task<ConsulResult<bool>> ReleaseAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken);

    Task<ConsulResult<bool>> DeleteKeyAsync(string key, ulong? cas, CancellationToken cancellationToken);

    /// <summary><c>/v1/status/leader</c>: the leader's address, or an empty string when the cluster has none.</summary>
    Task<ConsulResult<string>> GetLeaderAsync(CancellationToken cancellationToken);

    /// <summary><c>/v1/agent/self</c>: the local agent's node name and datacenter.</summary>
    Task<ConsulResult<AgentSelf>> GetAgentSelfAsync(CancellationToken cancellationToken);
}
