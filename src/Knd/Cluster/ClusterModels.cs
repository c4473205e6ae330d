using System.Text.Json.Serialization;

namespace Knd.Cluster;

/// <summary>
/// What a host publishes about itself under <c>members/&lt;node&gt;</c>. <see cref="HeldOff"/>: it will not
/// contend for the lock for now (a promotion or not-producing back-off, a lock-service hold-off, a
/// doppelganger hold), so a handover must not be addressed to it. Absent (false) in older records.
/// <see cref="PeerAddress"/> is where its peer channel listens (<c>HOST:PORT</c>), absent from records of a knd without one or
/// written before it existed (such records still read). <see cref="NoFailover"/> and <see cref="Priority"/> are its
/// tags (<c>--no-failover</c>, <c>--priority</c>); absent (false, 0) in older records.
/// <see cref="RenewedAt"/> is the wall-clock time (RFC 3339, UTC) of its last successful session renewal,
/// and <see cref="Production"/> the production watch's verdict on its signing (<see cref="MemberProduction"/>);
/// both are null in older records, and read leniently (<see cref="MemberRecordFields"/>): a bad value
/// there never costs the record. <see cref="FailsafeMembers"/> is the failsafe member list a host that
/// holds (or held) the lock under <c>--failsafe</c> publishes: a node not on the list of the lock's
/// last holder does not take the lock (docs/failover-algorithm.md, "The failsafe member list").
/// </summary>
internal sealed record MemberInfo(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("synced")] bool Synced,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("height")] long? Height,
    [property: JsonPropertyName("held_off")] bool HeldOff = false,
    [property: JsonPropertyName("peer_address")] string? PeerAddress = null,
    [property: JsonPropertyName("no_failover")] bool NoFailover = false,
    [property: JsonPropertyName("priority")] int Priority = 0,
    [property: JsonPropertyName("renewed_at"), JsonConverter(typeof(LenientStringConverter))] string? RenewedAt = null,
    [property: JsonPropertyName("production"), JsonConverter(typeof(LenientStringConverter))] string? Production = null,
    [property: JsonPropertyName("failsafe_members")] NodeList? FailsafeMembers = null)
{
    /// <summary><see cref="RenewedAt"/> as a time, or null when absent or not an RFC 3339 time.</summary>
    public DateTimeOffset? RenewedAtTime => MemberRecordFields.ParseTime(RenewedAt);
}

/// <summary>A member as the watch saw it: <see cref="Alive"/> while the key is held by a live session.</summary>
internal sealed record Member(MemberInfo Info, bool Alive)
{
    /// <summary>A passive that could take over right now.</summary>
    public bool ReadyPassive => Alive && Info.State == "Voting" && Info.Synced && Info.Healthy && !Info.HeldOff;

    /// <summary>A ready passive that may also take the lock on its own (no <c>--no-failover</c>).</summary>
    public bool Candidate => ReadyPassive && !Info.NoFailover;
}

/// <summary>
/// The switchover key: a request and, once the leader acted on it, its outcome. While it waits for a
/// duty-free window, <see cref="WindowHeight"/> is the height the handover is expected to start at
/// and <see cref="WindowAt"/> when that height is expected (from the measured block interval).
/// </summary>
internal sealed record SwitchoverRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("requested_by")] string RequestedBy,
    [property: JsonPropertyName("requested_at")] DateTimeOffset RequestedAt,
    [property: JsonPropertyName("window_height")] long? WindowHeight = null,
    [property: JsonPropertyName("window_at")] DateTimeOffset? WindowAt = null)
{
    public const string Pending = "pending";
    public const string WaitingForWindow = "waiting-for-window";
    public const string HandingOver = "handing-over";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public bool IsOpen => Phase is Pending or WaitingForWindow or HandingOver;
}

/// <summary>The pause key; <see cref="Reason"/> says why when knd set it itself (a signer outside the cluster), null for <c>knd pause</c>.</summary>
internal sealed record PauseRecord(
    [property: JsonPropertyName("paused")] bool Paused,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("reason")] string? Reason = null);

/// <summary>Everything under the cluster prefix, as of one Consul index.</summary>
internal sealed record ClusterObservation(bool Paused, SwitchoverRecord? Switchover, ulong SwitchoverIndex, IReadOnlyList<Member> Members, ulong Index)
{
    public static ClusterObservation Empty { get; } = new(false, null, 0, [], 0);

    /// <summary>
    /// The passive a handover should go to: a <see cref="Member.Candidate"/> other than
    /// <paramref name="leaderNodeId"/>, the highest priority first, then the highest head. A switchover
    /// without <c>--to</c> and a silent leader's step-down both choose with this one rule; a
    /// <c>--no-failover</c> host is only ever chosen by name (<c>knd switchover --to</c>).
    /// </summary>
    public Member? ReadiestPassive(string leaderNodeId) =>
        Members.Where(m => m.Candidate && m.Info.NodeId != leaderNodeId)
            .OrderByDescending(m => m.Info.Priority).ThenByDescending(m => m.Info.Height ?? 0).FirstOrDefault();

    /// <summary>The failsafe member lists the member records publish, by the node whose record it is (a record without one is left out).</summary>
    public IReadOnlyDictionary<string, NodeList> FailsafeRosters() =>
        Members.Where(m => m.Info.FailsafeMembers is not null)
            .GroupBy(m => m.Info.NodeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Info.FailsafeMembers!, StringComparer.Ordinal);

    /// <summary>The members other than <paramref name="nodeId"/> that could take a free lock now, for the machine's priority rule.</summary>
    public IReadOnlyList<Contender> Contenders(string nodeId) =>
        [.. Members.Where(m => m.Candidate && m.Info.NodeId != nodeId)
            .Select(m => new Contender(m.Info.NodeId, m.Info.Priority, m.Info.Height ?? 0))
            .OrderBy(c => c.NodeId, StringComparer.Ordinal)];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MemberInfo))]
[JsonSerializable(typeof(SwitchoverRecord))]
[JsonSerializable(typeof(PauseRecord))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
