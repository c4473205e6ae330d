using Knd.Cluster;

namespace Knd.Supervision;

/// <summary>
/// The supervisor's lock service (Consul or etcd): a store with sessions that expire unless renewed,
/// a lock key a session can hold, and a watch. A driver performs the machine's session and lock
/// actions, mirrors the lock key and the cluster keys, and publishes this host's member record; every
/// result comes back to the machine as a <see cref="SupervisorEvent"/> in the core's vocabulary
/// (<see cref="LockAcquireOutcome"/>, <see cref="LockObservation"/>, <see cref="LockServiceError"/>),
/// through the post callback it was built with.
/// </summary>
internal interface ILockServiceDriver
{
    /// <summary>Starts the action in the background; the returned task (for tests) ends once its completion event is posted. Actions it does not own complete at once.</summary>
    Task Perform(SupervisorAction action, CancellationToken cancellationToken);

    /// <summary>
    /// Watches the lock key (each answer a <see cref="LockObservedEvent"/>, each failure a
    /// <see cref="LockWatchFailedEvent"/>) and the cluster keys (published to <see cref="ClusterState"/>,
    /// the pause flag as a <see cref="PauseObservedEvent"/>) until cancelled. It never ends on an error.
    /// </summary>
    Task WatchAsync(CancellationToken cancellationToken);

    /// <summary>Publishes this host's member record, held with its session; coalesced, at most one write in flight.</summary>
    void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken);
}
