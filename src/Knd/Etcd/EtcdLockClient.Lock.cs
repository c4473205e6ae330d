using Etcdserverpb;
using Google.Protobuf;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>The lock key: acquire, confirm, release and read, each a transaction or a linearizable read.</summary>
internal sealed partial class EtcdLockClient
{
    /// <summary>
    /// Takes the lock with the session's lease. A linearizable read of the lock key and the
    /// last-holder record decides first: held (by us: Acquired, as Consul answers a repeat acquire;
    /// else HeldByOther), or deleted with its lease less than the lock-delay ago as this client saw it
    /// (LockDelay). Then one transaction puts the key with the lease and the record, only if the key
    /// still does not exist (<c>create_revision == 0</c>) and the record is the one just read; if
    /// anything moved in between the answer is HeldByOther or, when the key is still free, LockDelay
    /// (look again shortly). A lease etcd does not know makes it SessionGone.
    /// </summary>
    public async Task<LockServiceResult<LockAcquireOutcome>> AcquireAsync(string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("lock acquire", sessionId);
        }

        var read = await ReadLockAsync("lock acquire", cancellationToken);
        if (!read.TryGetValue(out var current, out var readError))
        {
            return readError;
        }

        var view = current.View;
        switch (view.Phase)
        {
            case EtcdLockPhase.Held:
                return Outcome(view.Lock!.LeaseId == leaseId ? LockAcquireOutcome.Acquired : LockAcquireOutcome.HeldByOther);
            case EtcdLockPhase.Expired when _lockDelay.Sighted(view.RecordRevision) > TimeSpan.Zero:
                return Outcome(LockAcquireOutcome.LockDelay);
        }

        var record = new EtcdLockRecord(leaseId, false, value.ToArray()).Serialize();
        var txn = new TxnRequest
        {
            Compare =
            {
                new Compare { Key = _lockKey, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 },
                new Compare { Key = _recordKey, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = view.RecordRevision },
            },
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = _lockKey, Value = ByteString.CopyFrom(value.Span), Lease = leaseId } },
                new RequestOp { RequestPut = new PutRequest { Key = _recordKey, Value = ByteString.CopyFrom(record) } },
            },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = _lockKey } } },
        };
        var result = await _connection.UnaryAsync("lock acquire", o => _connection.Kv.TxnAsync(txn, o), cancellationToken);
        if (result.Error is { Kind: LockServiceFailure.SessionGone })
        {
            return Outcome(LockAcquireOutcome.SessionGone);
        }

        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!HasRevision(answer.Header) || answer.Responses.Count != (answer.Succeeded ? 2 : 1))
        {
            return EtcdErrors.Malformed("lock acquire", "a transaction answer without a revision or with the wrong number of results");
        }

        if (answer.Succeeded)
        {
            return Outcome(LockAcquireOutcome.Acquired);
        }

        var now = answer.Responses[0].ResponseRange?.Kvs;
        return Outcome(now is { Count: > 0 } ? now[0].Lease == leaseId ? LockAcquireOutcome.Acquired : LockAcquireOutcome.HeldByOther : LockAcquireOutcome.LockDelay);
    }

    /// <summary>A linearizable read of the lock key after acquiring: held by our lease, and its ModRevision as the fencing index.</summary>
    public async Task<LockServiceResult<EtcdLockConfirmation>> ConfirmAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("lock confirmation", sessionId);
        }

        var result = await _connection.UnaryAsync("lock confirmation", o => _connection.Kv.RangeAsync(new RangeRequest { Key = _lockKey }, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!HasRevision(answer.Header) || !IsRangeOf(answer, _lockKey))
        {
            return EtcdErrors.Malformed("lock confirmation", "a read of the lock key that does not hold exactly that key");
        }

        var kv = answer.Kvs.Count == 1 ? answer.Kvs[0] : null;
        return kv is not null && kv.Lease == leaseId
            ? LockServiceResult<EtcdLockConfirmation>.Ok(new EtcdLockConfirmation(true, (ulong)kv.ModRevision))
            : LockServiceResult<EtcdLockConfirmation>.Ok(new EtcdLockConfirmation(false, (ulong)(kv?.ModRevision ?? 0)));
    }

    /// <summary>
    /// Gives the lock up: one transaction that, only while our lease holds the key, deletes it and
    /// writes the last-holder record as released with <paramref name="value"/> (which names a
    /// handover target, if any). Watchers then see a release, which carries no lock-delay. False when
    /// the key was not ours (any more).
    /// </summary>
    public async Task<LockServiceResult<bool>> ReleaseAsync(string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("lock release", sessionId);
        }

        var record = new EtcdLockRecord(leaseId, true, value.ToArray()).Serialize();
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = _lockKey, Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = leaseId } },
            Success =
            {
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = _lockKey } },
                new RequestOp { RequestPut = new PutRequest { Key = _recordKey, Value = ByteString.CopyFrom(record) } },
            },
        };
        var result = await _connection.UnaryAsync("lock release", o => _connection.Kv.TxnAsync(txn, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        return HasRevision(answer.Header)
            ? LockServiceResult<bool>.Ok(answer.Succeeded)
            : EtcdErrors.Malformed("lock release", "a transaction answer without a revision");
    }

    /// <summary>The lock key and the last-holder record in one linearizable read (a read-only transaction), for the stale-leader reaper and the tests.</summary>
    public Task<LockServiceResult<EtcdLockRead>> ReadLockAsync(CancellationToken cancellationToken) => ReadLockAsync("lock read", cancellationToken);

    private async Task<LockServiceResult<EtcdLockRead>> ReadLockAsync(string operation, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = _lockKey } },
                new RequestOp { RequestRange = new RangeRequest { Key = _recordKey } },
            },
        };
        var result = await _connection.UnaryAsync(operation, o => _connection.Kv.TxnAsync(txn, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!HasRevision(answer.Header) || !answer.Succeeded || answer.Responses.Count != 2
            || !IsRangeOf(answer.Responses[0].ResponseRange, _lockKey) || !IsRangeOf(answer.Responses[1].ResponseRange, _recordKey))
        {
            return EtcdErrors.Malformed(operation, "a read of the lock key and its record that does not hold them");
        }

        var lockKv = Single(answer.Responses[0].ResponseRange);
        var recordKv = Single(answer.Responses[1].ResponseRange);
        var view = EtcdLockView.Of(lockKv, recordKv, answer.Header.Revision);
        if (view.Phase == EtcdLockPhase.Expired)
        {
            _lockDelay.Sighted(view.RecordRevision);
        }

        return LockServiceResult<EtcdLockRead>.Ok(new EtcdLockRead(view, answer.Header.Revision));
    }

    private static LockServiceResult<LockAcquireOutcome> Outcome(LockAcquireOutcome outcome) => LockServiceResult<LockAcquireOutcome>.Ok(outcome);

    /// <summary>A read of one key answers that key or nothing: anything else is not an answer to it.</summary>
    private static bool IsRangeOf(RangeResponse? range, ByteString key) =>
        range is not null && (range.Kvs.Count == 0 || (range.Kvs.Count == 1 && range.Kvs[0].Key == key));

    private static EtcdKv? Single(RangeResponse range) => range.Kvs.Count == 1 ? EtcdKv.From(range.Kvs[0]) : null;
}
