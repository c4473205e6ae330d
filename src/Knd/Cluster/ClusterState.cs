namespace Knd.Cluster;

/// <summary>The latest <see cref="ClusterObservation"/> from the watch, shared with the control socket and the coordinators.</summary>
internal sealed class ClusterState(ClusterKeys keys)
{
    private ClusterObservation _latest = ClusterObservation.Empty;

    public ClusterKeys Keys => keys;

    public ClusterObservation Latest => Volatile.Read(ref _latest);

    /// <summary>True once the watch has answered at least once.</summary>
    public bool Known => Latest.Index > 0;

    public void Publish(ClusterObservation observation) => Volatile.Write(ref _latest, observation);
}
