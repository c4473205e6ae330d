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
/// deletes it with the lease), or its last renewal is older than <see cref="FailoverTimings.MemberStaleAfter"/>,
/// so nothing in it is current. <see cref="Lag"/>: the leader's head minus this member's, when both
/// are known and the record is not stale. <see cref="RenewedAt"/> and <see cref="RenewalAgeSeconds"/>: the
/// member's last successful session renewal by its own clock, and its age by the reading daemon's
/// clock (null when the record has none); <see cref="Production"/>: its production verdict
/// (<see cref="MemberProduction"/>).
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
    [property: JsonPropertyName("peer_address")] string? PeerAddress,
    [property: JsonPropertyName("renewed_at")] string? RenewedAt = null,
    [property: JsonPropertyName("renewal_age_seconds")] double? RenewalAgeSeconds = null,
    [property: JsonPropertyName("production")] string? Production = null)
{
    public const string LeaderRole = "leader";
    public const string PassiveRole = "passive";
}

/// <summary>Builds <see cref="MemberListView"/> from one observation, the lock holder and the reading daemon's clock (pure).</summary>
internal static class MemberList
{
    /// <param name="lockKey">The validator's lock key, shown as the cluster's name.</param>
    /// <param name="cluster">The cluster watch's latest observation.</param>
    /// <param name="leader">The lock holder's node id from a fresh read, or null when nobody holds it.</param>
    /// <param name="now">The reading daemon's wall-clock time: ages compare it with each member's own clock, so they carry the hosts' clock skew.</param>
    /// <param name="staleAfter">The renewal age past which a record is stale (<see cref="FailoverTimings.MemberStaleAfter"/>).</param>
    public static MemberListView From(string lockKey, ClusterObservation cluster, string? leader, DateTimeOffset now, TimeSpan staleAfter)
    {
        var leaderHeight = cluster.Members.FirstOrDefault(m => m.Alive && m.Info.NodeId == leader)?.Info.Height;
        var members = cluster.Members
            .Select(m => View(m, leader, leaderHeight, now, staleAfter))
            .OrderBy(m => m.Role == MemberView.LeaderRole ? 0 : 1)
            .ThenBy(m => m.NodeId, StringComparer.Ordinal)
            .ToList();
        return new MemberListView(lockKey, leader, cluster.Paused, members);
    }

    /// <summary>
    /// How long ago <paramref name="renewedAt"/> was, never negative: a member whose clock runs ahead
    /// of this host's would otherwise show a renewal in the future.
    /// </summary>
    public static TimeSpan? RenewalAge(DateTimeOffset? renewedAt, DateTimeOffset now) =>
        renewedAt is { } at ? (now - at > TimeSpan.Zero ? now - at : TimeSpan.Zero) : null;

    private static MemberView View(Member member, string? leader, long? leaderHeight, DateTimeOffset now, TimeSpan staleAfter)
    {
        var info = member.Info;
        var isLeader = member.Alive && info.NodeId == leader;
        var renewedAt = info.RenewedAtTime;
        var age = RenewalAge(renewedAt, now);
        var stale = !member.Alive || age > staleAfter;
        long? lag = isLeader ? 0 : leaderHeight is { } top && info.Height is { } height ? Math.Max(0, top - height) : null;
        return new MemberView(
            info.NodeId,
            isLeader ? MemberView.LeaderRole : MemberView.PassiveRole,
            info.State,
            member.Alive,
            stale,
            info.Height,
            stale ? null : lag,
            info.Synced,
            info.Healthy,
            info.HeldOff,
            info.NoFailover,
            info.Priority,
            info.PeerAddress,
            renewedAt is { } at ? MemberRecordFields.FormatTime(at) : null,
            age is { } a ? Math.Round(a.TotalSeconds, 1) : null,
            MemberProduction.Read(info.Production));
    }
}
