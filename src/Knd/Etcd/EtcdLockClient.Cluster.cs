using Etcdserverpb;
using Google.Protobuf;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>The cluster keys beside the lock: members, pause, switchover (the layout of <see cref="ClusterKeys"/>).</summary>
internal sealed partial class EtcdLockClient
{
    /// <summary>
    /// Writes this host's member record with its session's lease, so the record goes when the host
    /// does (Consul's equivalent is a key held by the session). A lease etcd does not know is SessionGone.
    /// </summary>
    public async Task<LockServiceResult<bool>> PutMemberAsync(string sessionId, string nodeId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        if (!EtcdLeaseId.TryParse(sessionId, out var leaseId))
        {
            return NotALease("member publish", sessionId);
        }

        var put = new PutRequest { Key = ByteString.CopyFromUtf8(_keys.Member(nodeId)), Value = ByteString.CopyFrom(value.Span), Lease = leaseId };
        var result = await _connection.UnaryAsync("member publish", o => _connection.Kv.PutAsync(put, o), cancellationToken);
        return result.Error is { } error ? error : LockServiceResult<bool>.Ok(true);
    }

    /// <summary>One key (linearizable), or null when it does not exist.</summary>
    public async Task<LockServiceResult<EtcdKv?>> GetAsync(string key, CancellationToken cancellationToken)
    {
        var name = ByteString.CopyFromUtf8(key);
        var result = await _connection.UnaryAsync("key read", o => _connection.Kv.RangeAsync(new RangeRequest { Key = name }, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!HasRevision(answer.Header) || !IsRangeOf(answer, name))
        {
            return EtcdErrors.Malformed("key read", $"a read of {key} that does not hold exactly that key");
        }

        return LockServiceResult<EtcdKv?>.Ok(answer.Kvs.Count == 1 ? EtcdKv.From(answer.Kvs[0]) : null);
    }

    /// <summary>
    /// Writes a key without a lease. <paramref name="expectedModRevision"/> is Consul's <c>?cas=</c>:
    /// null writes regardless, 0 only creates, n only replaces the version written at revision n.
    /// False when the condition did not hold.
    /// </summary>
    public async Task<LockServiceResult<bool>> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedModRevision, CancellationToken cancellationToken)
    {
        var name = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = name, Value = ByteString.CopyFrom(value.Span) } } } };
        if (expectedModRevision is { } expected)
        {
            txn.Compare.Add(new Compare { Key = name, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected });
        }

        return await ConditionalAsync("key write", txn, cancellationToken);
    }

    /// <summary>Deletes a key (only the version at <paramref name="expectedModRevision"/> when given). False when the condition did not hold.</summary>
    public async Task<LockServiceResult<bool>> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken)
    {
        var name = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest { Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = name } } } };
        if (expectedModRevision is { } expected)
        {
            txn.Compare.Add(new Compare { Key = name, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected });
        }

        return await ConditionalAsync("key delete", txn, cancellationToken);
    }

    /// <summary>Everything under the cluster prefix (linearizable), as the watch would publish it.</summary>
    public async Task<LockServiceResult<ClusterObservation>> ReadClusterAsync(CancellationToken cancellationToken)
    {
        var read = await ReadRangeAsync("cluster read", cancellationToken);
        if (read.Error is { } error)
        {
            return error;
        }

        var (entries, header) = read.Value;
        return LockServiceResult<ClusterObservation>.Ok(EtcdClusterReader.Read(_keys, entries.Where(e => e.Key != _keys.LockKey), header.Revision));
    }

    private async Task<LockServiceResult<bool>> ConditionalAsync(string operation, TxnRequest txn, CancellationToken cancellationToken)
    {
        var result = await _connection.UnaryAsync(operation, o => _connection.Kv.TxnAsync(txn, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        return HasRevision(answer.Header)
            ? LockServiceResult<bool>.Ok(answer.Succeeded)
            : EtcdErrors.Malformed(operation, "a transaction answer without a revision");
    }

    /// <summary>
    /// The lock key and everything under the cluster prefix, in one linearizable read. The range
    /// [lock key, lock key + "0") covers both ('0' follows '/'); keys of other validators that share
    /// the lock key as a prefix (<c>acc</c> and <c>acc.2</c>) fall in it too and are dropped.
    /// </summary>
    private async Task<LockServiceResult<(List<EtcdKv> Entries, ResponseHeader Header)>> ReadRangeAsync(string operation, CancellationToken cancellationToken)
    {
        var request = new RangeRequest { Key = _lockKey, RangeEnd = RangeEnd };
        var result = await _connection.UnaryAsync(operation, o => _connection.Kv.RangeAsync(request, o), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            return error;
        }

        if (!HasRevision(answer.Header) || answer.More)
        {
            return EtcdErrors.Malformed(operation, "a range read without a revision, or cut short");
        }

        return LockServiceResult<(List<EtcdKv>, ResponseHeader)>.Ok(([.. answer.Kvs.Select(EtcdKv.From).Where(e => Mine(e.Key))], answer.Header));
    }

    /// <summary>The end of the watched range: the lock key with '0' (the byte after '/') appended.</summary>
    private ByteString RangeEnd => ByteString.CopyFromUtf8(_keys.LockKey + "0");

    private bool Mine(string key) => key == _keys.LockKey || key.StartsWith(_keys.Prefix, StringComparison.Ordinal);
}
