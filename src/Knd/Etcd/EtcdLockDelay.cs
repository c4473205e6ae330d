namespace Knd.Etcd;

/// <summary>
/// knd's lock-delay on etcd, which has none. Consul refuses every acquisition for the lock-delay after
/// it invalidated the holder's session; here each knd refuses itself for <c>delay</c> from the moment
/// it first saw the lock key deleted with its lease (an expiry or a revoke, told apart from a release
/// by the last-holder record). That moment comes after etcd deleted the key, so the wait starts no
/// earlier than Consul's would (docs/failover-algorithm.md, "On etcd"). An expiry is named by the
/// revision of the acquisition it ended, so a new holder's expiry starts a new wait.
/// </summary>
internal sealed class EtcdLockDelay(TimeSpan delay, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _acquisition;
    private long _firstSeen;

    public TimeSpan Delay => delay;

    /// <summary>Notes a sighting of the lock deleted after the acquisition at <paramref name="acquisitionRevision"/>; returns the wait left.</summary>
    public TimeSpan Sighted(long acquisitionRevision)
    {
        lock (_gate)
        {
            if (acquisitionRevision != _acquisition)
            {
                _acquisition = acquisitionRevision;
                _firstSeen = time.GetTimestamp();
            }

            var left = delay - time.GetElapsedTime(_firstSeen);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }
}
