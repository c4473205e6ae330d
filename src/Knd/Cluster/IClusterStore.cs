namespace Knd.Cluster;

/// <summary>Who holds the lock key and what its value says.</summary>
/// <param name="SessionId">The holding session (on etcd, the lease id).</param>
/// <param name="Value">The lock value, or null when it is not knd's or kuutamod's JSON.</param>
/// <param name="SessionName">The session's name (knd: the node id), when the lock service keeps one.</param>
/// <param name="ServiceNode">The lock service's node the session lives on (Consul's node), when there is one.</param>
internal sealed record LockHolding(string SessionId, LockValue? Value, string? SessionName, string? ServiceNode);

/// <summary>
/// The cluster keys the control socket and the coordinators read and write beside the lock (who holds
/// it, the pause flag, the switchover record), on whichever lock service the daemon runs on.
/// </summary>
internal interface IClusterStore
{
    /// <summary>A linearizable read of the lock key: its holder, or null when nobody holds it.</summary>
    Task<LockServiceResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="key"/>. <paramref name="expectedIndex"/>: null writes regardless, 0 only
    /// creates, n only replaces the version a <see cref="ClusterObservation"/> reported at index n.
    /// False when that condition did not hold.
    /// </summary>
    Task<LockServiceResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="key"/> whatever it holds; true once it is gone.</summary>
    Task<LockServiceResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken);
}
