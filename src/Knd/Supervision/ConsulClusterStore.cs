using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;

namespace Knd.Supervision;

/// <summary>The cluster keys on Consul.</summary>
internal sealed class ConsulClusterStore(KndRunOptions options, IConsulClient consul) : IClusterStore
{
    public async Task<LockServiceResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken)
    {
        var read = await consul.GetKeyAsync(options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!read.TryGetValue(out var current, out var error))
        {
            return LockServiceResult<LockHolding?>.Fail(error.ToCause());
        }

        if (current.Entry is not { Session: { } session } entry)
        {
            return LockServiceResult<LockHolding?>.Ok(null);
        }

        // The session names the Consul node it lives on (kuutamod's "Node"), and its name is the
        // holder's node id, the fallback for a lock value nobody wrote.
        var info = (await consul.GetSessionInfoAsync(session, cancellationToken)).Value;
        return LockServiceResult<LockHolding?>.Ok(new LockHolding(session, LockValue.TryParse(entry.Value), info?.Name, info?.Node));
    }

    public async Task<LockServiceResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken)
    {
        var put = await consul.PutKeyAsync(key, value, new KvPutOptions(Cas: expectedIndex), cancellationToken);
        return put.Error is { } error ? LockServiceResult<bool>.Fail(error.ToCause()) : LockServiceResult<bool>.Ok(put.Value);
    }

    public async Task<LockServiceResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var deleted = await consul.DeleteKeyAsync(key, null, cancellationToken);
        return deleted.Error is { } error ? LockServiceResult<bool>.Fail(error.ToCause()) : LockServiceResult<bool>.Ok(deleted.Value);
    }
}
