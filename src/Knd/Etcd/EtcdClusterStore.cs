using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>The cluster keys on etcd. A holder's session is its lease id; etcd keeps no session name or node, so the lock value names the holder.</summary>
internal sealed class EtcdClusterStore(EtcdLockClient client) : IClusterStore
{
    public async Task<LockServiceResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken)
    {
        var read = await client.ReadLockAsync(cancellationToken);
        if (!read.TryGetValue(out var current, out var error))
        {
            return LockServiceResult<LockHolding?>.Fail(error);
        }

        var view = current.View;
        return view.Phase == EtcdLockPhase.Held
            ? LockServiceResult<LockHolding?>.Ok(new LockHolding(view.Holder!, LockValue.TryParse(view.Lock!.Value), null, null))
            : LockServiceResult<LockHolding?>.Ok(null);
    }

    public async Task<LockServiceResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken)
    {
        var put = await client.PutAsync(key, value, expectedIndex is { } index ? (long)index : null, cancellationToken);
        return put.Error is { } error ? LockServiceResult<bool>.Fail(error) : LockServiceResult<bool>.Ok(put.Value);
    }

    public async Task<LockServiceResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var deleted = await client.DeleteAsync(key, null, cancellationToken);
        return deleted.Error is { } error ? LockServiceResult<bool>.Fail(error) : LockServiceResult<bool>.Ok(deleted.Value);
    }
}
