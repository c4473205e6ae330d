using Etcdserverpb;
using Google.Protobuf;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>A granted lease: knd's session on etcd.</summary>
internal sealed record EtcdLease(string SessionId, TimeSpan Ttl);

/// <summary>The consistent read after acquiring: whether our lease holds the key, and its ModRevision (the fencing index).</summary>
internal sealed record EtcdLockConfirmation(bool HeldByUs, ulong FencingIndex);

/// <summary>The lock as one linearizable read found it, at etcd revision <paramref name="Revision"/>.</summary>
internal sealed record EtcdLockRead(EtcdLockView View, long Revision)
{
    public LockObservation Observation => View.ToObservation(Revision);
}

/// <summary>
/// knd's lock service on etcd: sessions are leases, the lock is a key put with the holder's lease by a
/// transaction, and a watch mirrors the lock and the cluster keys. Every call has the request timeout
/// and answers with an <see cref="LockServiceResult{T}"/> in the core's vocabulary; none throws (a cancelled
/// caller token aside). The keys are Consul's layout (<see cref="ClusterKeys"/>) plus the last-holder
/// record (docs/etcd.md).
/// </summary>
internal sealed partial class EtcdLockClient : IDisposable
{
    private readonly EtcdConnection _connection;
    private readonly ClusterKeys _keys;
    private readonly EtcdLockDelay _lockDelay;
    private readonly ILogger _logger;
    private readonly ByteString _lockKey;
    private readonly ByteString _recordKey;

    /// <summary>Builds the client (no request is sent yet). Throws <see cref="EtcdConfigurationException"/> for bad endpoints or TLS files.</summary>
    public EtcdLockClient(EtcdClientOptions options, ClusterKeys keys, ILogger logger)
    {
        _connection = EtcdConnection.Create(options);
        _keys = keys;
        _logger = logger;
        _lockDelay = new EtcdLockDelay(options.LockDelay, options.TimeProvider);
        _lockKey = ByteString.CopyFromUtf8(keys.LockKey);
        _recordKey = ByteString.CopyFromUtf8(LastHolderKey);
    }

    public ClusterKeys Keys => _keys;

    /// <summary>The last-holder record (<see cref="EtcdLockRecord"/>), under the cluster prefix.</summary>
    public string LastHolderKey => _keys.Prefix + "last-holder";

    internal EtcdConnection Connection => _connection;

    /// <summary>Grants a lease of <paramref name="ttl"/>, rounded up to whole seconds (etcd's unit; rounding down would expire it sooner than knd's fence assumes).</summary>
    public async Task<LockServiceResult<EtcdLease>> GrantAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        var result = await _connection.UnaryAsync("lease grant", o => _connection.Leases.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!string.IsNullOrEmpty(answer.Error))
        {
            return new LockServiceError(LockServiceFailure.Unavailable, $"etcd lease grant: {answer.Error}");
        }

        // etcd raises a TTL below its minimum (1.5 election timeouts) and never lowers one.
        if (answer.ID == 0 || answer.TTL < seconds)
        {
            return EtcdErrors.Malformed("lease grant", $"lease {answer.ID} with TTL {answer.TTL}s for a request of {seconds}s");
        }

        return LockServiceResult<EtcdLease>.Ok(new EtcdLease(EtcdLeaseId.Format(answer.ID), TimeSpan.FromSeconds(answer.TTL)));
    }

    /// <summary>
    /// One keep-alive round trip on a stream of its own: knd's renew loop calls this (etcd's client
    /// helper renews at TTL/3 and goes quiet when the lease is gone). Answers the lease's TTL; a TTL of
    /// 0 (etcd's answer for an unknown lease) or a NotFound is <see cref="LockServiceFailure.SessionGone"/>.
    /// </summary>
    public async Task<LockServiceResult<TimeSpan>> RenewAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("lease keep-alive", sessionId);
        }

        var result = await _connection.CallAsync(
            "lease keep-alive",
            async options =>
            {
                using var call = _connection.Leases.LeaseKeepAlive(options);
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, options.CancellationToken);
                var answered = await call.ResponseStream.MoveNext(options.CancellationToken);
                var answer = answered ? call.ResponseStream.Current : null;
                await call.RequestStream.CompleteAsync();
                return answer;
            },
            cancellationToken);
        if (result.Error is { } error)
        {
            return error;
        }

        if (result.Value is not { } response)
        {
            return new LockServiceError(LockServiceFailure.Unavailable, "etcd lease keep-alive: the stream closed without an answer");
        }

        if (response.ID != leaseId)
        {
            return EtcdErrors.Malformed("lease keep-alive", $"lease {EtcdLeaseId.Format(response.ID)} for a keep-alive of {sessionId}");
        }

        return response.TTL > 0
            ? LockServiceResult<TimeSpan>.Ok(TimeSpan.FromSeconds(response.TTL))
            : new LockServiceError(LockServiceFailure.SessionGone, $"etcd lease keep-alive: lease {sessionId} is gone (expired or revoked)");
    }

    /// <summary>Revokes the lease (its keys go with it, and others then wait the lock-delay). True when revoked, false when it was already gone.</summary>
    public async Task<LockServiceResult<bool>> RevokeAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("lease revoke", sessionId);
        }

        var result = await _connection.UnaryAsync("lease revoke", o => _connection.Leases.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, o), cancellationToken);
        if (result.Error is { Kind: LockServiceFailure.SessionGone })
        {
            return LockServiceResult<bool>.Ok(false);
        }

        return result.Error is { } error ? error : LockServiceResult<bool>.Ok(true);
    }

    /// <summary>Whether etcd can serve a linearizable read now (a leader, a quorum): the failsafe's "can this node reach the lock service".</summary>
    public async Task<LockServiceResult<bool>> CheckReachableAsync(CancellationToken cancellationToken)
    {
        var result = await _connection.UnaryAsync("reachability check", o => _connection.Kv.RangeAsync(new RangeRequest { Key = _lockKey, CountOnly = true }, o), cancellationToken);
        return result.Error is { } error ? error : LockServiceResult<bool>.Ok(true);
    }

    public void Dispose() => _connection.Dispose();

    private static LockServiceError NotALease(string operation, string sessionId) =>
        new(LockServiceFailure.Refused, $"etcd {operation}: '{sessionId}' is not an etcd lease id");

    /// <summary>etcd's answers carry a header with the store's revision; one without is not an answer knd can place.</summary>
    private static bool HasRevision(ResponseHeader? header) => header is { Revision: > 0 };
}
