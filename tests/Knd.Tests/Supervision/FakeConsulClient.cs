using System.Collections.Concurrent;
using Knd.Consul;

namespace Knd.Tests.Supervision;

/// <summary>
/// A scripted <see cref="IConsulClient"/> for driver tests: each operation answers through a settable
/// function (by default it throws, which is itself something the driver must survive), and every
/// call is recorded.
/// </summary>
internal sealed class FakeConsulClient : IConsulClient
{
    private CancellationTokenSource _reconnected = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    public CancellationToken Reconnected => Volatile.Read(ref _reconnected).Token;

    /// <summary>When set, answers lock-key reads with the caller's token (a blocking query that hangs until cancelled).</summary>
    public Func<string, KvQuery, CancellationToken, Task<ConsulResult<KvGetResult>>>? GetKeyWithToken { get; set; }

    public ConcurrentQueue<KvQuery> LockReads { get; } = new();

    public ConcurrentQueue<KvQuery> ListReads { get; } = new();

    public Func<SessionCreateRequest, Task<ConsulResult<string>>> Create { get; set; } = _ => throw Unscripted("create");

    public Func<string, Task<ConsulResult<SessionEntry>>> Renew { get; set; } = _ => throw Unscripted("renew");

    public Func<string, Task<ConsulResult<bool>>> Destroy { get; set; } = _ => throw Unscripted("destroy");

    public Func<string, Task<ConsulResult<SessionEntry?>>> Info { get; set; } = _ => throw Unscripted("info");

    public Func<string?, Task<ConsulResult<SessionListResult>>> ListSessions { get; set; } = _ => throw Unscripted("list sessions");

    public Func<string, KvQuery, Task<ConsulResult<KvGetResult>>> GetKey { get; set; } = (_, _) => throw Unscripted("get key");

    public Func<string, KvQuery, Task<ConsulResult<KvListResult>>> List { get; set; } = (_, _) => throw Unscripted("list");

    public Func<string, string, Task<ConsulResult<AcquireResult>>> Acquire { get; set; } = (_, _) => throw Unscripted("acquire");

    public Func<string, string, Task<ConsulResult<bool>>> Release { get; set; } = (_, _) => throw Unscripted("release");

    public static ConsulError Unreachable { get; } = new(ConsulErrorKind.Transport, null, "connection refused");

    public static Task<ConsulResult<T>> Ok<T>(T value) => Task.FromResult(ConsulResult<T>.Ok(value));

    public static Task<ConsulResult<T>> Fail<T>(ConsulError? error = null) => Task.FromResult(ConsulResult<T>.Fail(error ?? Unreachable));

    public int Count(string operation) => Calls.Count(c => c == operation);

    /// <summary>What the real client does when Consul answers again after it could not be reached.</summary>
    public void Reconnect() => Interlocked.Exchange(ref _reconnected, new CancellationTokenSource()).Cancel();

    public Task<ConsulResult<string>> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken) => Record("create", () => Create(request));

    public Task<ConsulResult<SessionEntry>> RenewSessionAsync(string sessionId, CancellationToken cancellationToken) => Record("renew", () => Renew(sessionId));

    public Task<ConsulResult<bool>> DestroySessionAsync(string sessionId, CancellationToken cancellationToken) => Record("destroy " + sessionId, () => Destroy(sessionId));

    public Task<ConsulResult<SessionEntry?>> GetSessionInfoAsync(string sessionId, CancellationToken cancellationToken) => Record("info", () => Info(sessionId));

    public Task<ConsulResult<SessionListResult>> ListSessionsAsync(string? node, CancellationToken cancellationToken) => Record("list sessions", () => ListSessions(node));

    public Task<ConsulResult<KvGetResult>> GetKeyAsync(string key, KvQuery query, CancellationToken cancellationToken)
    {
        LockReads.Enqueue(query);
        return GetKeyWithToken is { } withToken ? Record("get " + key, () => withToken(key, query, cancellationToken)) : Record("get " + key, () => GetKey(key, query));
    }

    public Task<ConsulResult<KvListResult>> ListAsync(string prefix, KvQuery query, CancellationToken cancellationToken)
    {
        ListReads.Enqueue(query);
        return Record("list " + prefix, () => List(prefix, query));
    }

    public Func<string, byte[], Task<ConsulResult<bool>>> Put { get; set; } = (_, _) => throw Unscripted("put");

    public Task<ConsulResult<bool>> PutKeyAsync(string key, ReadOnlyMemory<byte> value, KvPutOptions options, CancellationToken cancellationToken) =>
        Record("put " + key, () => Put(key, value.ToArray()));

    public Task<ConsulResult<AcquireResult>> AcquireAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken) =>
        Record("acquire " + key, () => Acquire(key, sessionId));

    public Task<ConsulResult<bool>> ReleaseAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken) =>
        Record("release " + key, () => Release(key, sessionId));

    public Task<ConsulResult<bool>> DeleteKeyAsync(string key, ulong? cas, CancellationToken cancellationToken) => throw Unscripted("delete");

    public Task<ConsulResult<string>> GetLeaderAsync(CancellationToken cancellationToken) => throw Unscripted("leader");

    public Task<ConsulResult<AgentSelf>> GetAgentSelfAsync(CancellationToken cancellationToken) => throw Unscripted("agent self");

    private Task<T> Record<T>(string call, Func<Task<T>> answer)
    {
        Calls.Enqueue(call);
        return answer();
    }

    private static InvalidOperationException Unscripted(string operation) => new($"the fake Consul client has no answer scripted for {operation}");
}
