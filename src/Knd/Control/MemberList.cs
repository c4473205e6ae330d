using System.Text.Json.Serialization;
using Knd.Cluster;

namespace Knd.Control;

/// <summary>
/// <c>knd list --json</c> (docs/cli.md): the cluster's pause flag, the lock holder and every
/// <c>members/</c> record, the leader first.
/// </summary>
internal sealed record MemberListView(
    [property: JsonPropertyName("lock_key")] string LockKey,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("paused")] bool Paused,
    [property: JsonPropertyName("members")] IReadOnlyList<MemberView> Members);

/// <summary>
/// One member as <c>knd list</c> shows it. <see cref="Stale"/>: its record is no longer held by a live
/// session (the host's knd stopped or lost its session; Consul leaves the record unlocked, etcd
/// deletes it with the lease), so nothing in it is current. <see cref="Lag"/>: the leader's head
/// minus this member's, when both are known.
/// </summary>
internal sealed record MemberView(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("alive")] bool Alive,
    [property: JsonPropertyName("stale")] bool Stale,
    [property: JsonPropertyName("height")] long? Height,
    [property: JsonPropertyName("lag")] long? Lag,
    [property: JsonPropertyName("synced")] bool Synced,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("held_off")] bool HeldOff,
    [property: JsonPropertyName("no_failover")] bool NoFailover,
    [property: JsonPropertyName("priority")] int Priority,
    [property: JsonPropertyName("peer_address")] string? PeerAddress)
{
    public const string LeaderRole = "leader";
    public const string PassiveRole = "passive";
}

/// <summary>Builds <see cref="MemberListView"/> from one observation and the lock holder (pure).</summary>
internal static class MemberList
{
    public static MemberListView From(string lockKey, ClusterObservation cluster, string? leader)
    {
        var leaderHeight = cluster.Members.FirstOrDefault(m => m.Alive && m.Info.NodeId == leader)?.Info.Height;
        var members = cluster.Members
            .Select(m => View(m, leader, leaderHeight))
            .OrderBy(m => m.Role == MemberView.LeaderRole ? 0 : 1)
            .ThenBy(m => m.NodeId, StringComparer.Ordinal)
            .ToList();
        return new MemberListView(lockKey, leader, cluster.Paused, members);
    }

    private static MemberView View(Member member, string? leader, long? leaderHeight)
    {
        var info = member.Info;
        var isLeader = member.Alive && info.NodeId == leader;
        long? lag = isLeader ? 0 : leaderHeight is { } top && info.Height is { } height ? Math.Max(0, top - height) : null;
        return new MemberView(
            info.NodeId,
            isLeader ? MemberView.LeaderRole : MemberView.PassiveRole,
            info.State,
            member.Alive,
            !member.Alive,
            info.Height,
            member.Alive ? lag : null,
            info.Synced,
            info.Healthy,
            info.HeldOff,
            info.NoFailover,
            info.Priority,
            info.PeerAddress);
    }
}
