namespace Knd.Consul;

/// <summary>Body of <c>PUT /v1/session/create</c>.</summary>
internal sealed record SessionCreateRequest(
    string Name,
    TimeSpan Ttl,
    TimeSpan LockDelay,
    string Behavior,
    IReadOnlyList<string> NodeChecks,
    string? Node = null);

/// <summary>One element of a session array (<c>/v1/session/info</c>, <c>/renew</c>, <c>/list</c>).</summary>
internal sealed record SessionEntry(
    string Id,
    string Name,
    string Node,
    TimeSpan LockDelay,
    string Behavior,
    string Ttl,
    IReadOnlyList<string> NodeChecks,
    ulong CreateIndex,
    ulong ModifyIndex);

/// <summary>The sessions of <c>/v1/session/list</c> or <c>/v1/session/node/:node</c> and <c>X-Consul-Index</c> (the sessions table's index).</summary>
internal sealed record SessionListResult(IReadOnlyList<SessionEntry> Sessions, ulong Index);

/// <summary>One KV entry as Consul returns it. <see cref="Session"/> is null when the key is unlocked.</summary>
internal sealed record KvEntry(
    string Key,
    byte[] Value,
    ulong Flags,
    ulong LockIndex,
    string? Session,
    ulong CreateIndex,
    ulong ModifyIndex);

/// <summary>
/// A KV read: the entry (null when the key does not exist) and <c>X-Consul-Index</c>.
/// A blocking loop must send <see cref="Index"/> back as the next <see cref="KvQuery.Index"/>, except
/// that an index lower than the one it waited on (a snapshot restore) means reset to 0:
/// use <see cref="ConsulIndex.Next"/>.
/// </summary>
internal sealed record KvGetResult(KvEntry? Entry, ulong Index, bool KnownLeader);

/// <summary>A recursive KV read: the entries under the prefix and <c>X-Consul-Index</c>.</summary>
internal sealed record KvListResult(IReadOnlyList<KvEntry> Entries, ulong Index, bool KnownLeader);

internal enum ConsulConsistency
{
    Default,
    Consistent,
    Stale,
}

/// <summary>Blocking-query and consistency parameters of a read.</summary>
internal sealed record KvQuery(ulong Index = 0, TimeSpan? Wait = null, ConsulConsistency Consistency = ConsulConsistency.Default)
{
    public static KvQuery Immediate { get; } = new();

    public static KvQuery ConsistentRead { get; } = new(Consistency: ConsulConsistency.Consistent);
}

internal sealed record KvPutOptions(ulong? Cas = null, ulong Flags = 0)
{
    public static KvPutOptions None { get; } = new();
}

internal enum AcquireOutcome
{
    Acquired,

    /// <summary>Another session holds the key (<see cref="AcquireResult.Holder"/> names it).</summary>
    HeldByOther,

    /// <summary>Consul said false and the key is unlocked: a lock-delay is in force.</summary>
    LockDelay,

    /// <summary>Consul said the session is invalid: create a new one.</summary>
    SessionGone,
}

internal sealed record AcquireResult(AcquireOutcome Outcome, string? Holder = null);

internal sealed record AgentSelf(string NodeName, string Datacenter, string Version);
