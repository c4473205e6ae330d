using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>How the lock stands, read from the lock key and the last-holder record together.</summary>
internal enum EtcdLockPhase
{
    /// <summary>Neither key exists: a new cluster, or an etcd that lost its data.</summary>
    Missing,

    /// <summary>The lock key exists: held by the lease it was put with.</summary>
    Held,

    /// <summary>The last holder released it (no lock-delay).</summary>
    Released,

    /// <summary>The lock key went with its lease (expiry or revoke): the lock-delay applies.</summary>
    Expired,
}

/// <summary>
/// The lock as of one etcd revision, and the <see cref="LockObservation"/> the failover core expects
/// for it: a deletion (release or expiry) is a free key, as Consul's key with <c>Behavior=release</c>
/// stays with no session; only a store without either key is <c>Missing</c>.
/// </summary>
internal sealed record EtcdLockView(EtcdLockPhase Phase, EtcdKv? Lock, EtcdLockRecord? Record, long RecordRevision, long FreeSince)
{
    /// <summary>
    /// Derives the view. <paramref name="deletedAt"/> is the revision of the lock key's deletion when
    /// known (a watch event), else the revision of the read that found it absent: a free key's
    /// ModifyIndex must be above the fencing index of the holder it lost, as Consul's is.
    /// </summary>
    public static EtcdLockView Of(EtcdKv? lockKv, EtcdKv? recordKv, long deletedAt)
    {
        var record = recordKv is null ? null : EtcdLockRecord.TryParse(recordKv.Value);
        var recordRevision = recordKv?.ModRevision ?? 0;
        if (lockKv is not null)
        {
            return new EtcdLockView(EtcdLockPhase.Held, lockKv, record, recordRevision, 0);
        }

        if (recordKv is null)
        {
            return new EtcdLockView(EtcdLockPhase.Missing, null, null, 0, 0);
        }

        // A record knd cannot read (written by hand) cannot prove a release: take the lock-delay.
        return record is { Released: true }
            ? new EtcdLockView(EtcdLockPhase.Released, null, record, recordRevision, recordRevision)
            : new EtcdLockView(EtcdLockPhase.Expired, null, record, recordRevision, Math.Max(deletedAt, recordRevision));
    }

    /// <summary>The holder's session id (its lease), or null when free or missing. A lock key put without a lease reads as held by lease 0.</summary>
    public string? Holder => Lock is { } held ? EtcdLeaseId.Format(held.LeaseId) : null;

    public LockObservation ToObservation(long index)
    {
        var at = (ulong)Math.Max(index, 0);
        return Phase switch
        {
            EtcdLockPhase.Missing => LockObservation.Missing(at),
            EtcdLockPhase.Held => new LockObservation(true, Holder, ParseHolder(Lock!.Value), (ulong)Lock.ModRevision, at),
            _ => new LockObservation(true, null, Record is { } r ? ParseHolder(r.Value) : null, (ulong)FreeSince, Math.Max(at, (ulong)FreeSince)),
        };
    }

    /// <summary>The node a lock value names (and the handover target), as the Consul driver reads it.</summary>
    internal static LockHolder? ParseHolder(byte[] value) =>
        LockValue.TryParse(value) is { NodeId: { Length: > 0 } nodeId } parsed ? new LockHolder(nodeId, parsed.HandoverTo) : null;
}
