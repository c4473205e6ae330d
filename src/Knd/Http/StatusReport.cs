using System.Text.Json.Serialization;
using Knd.Neard;
using Knd.Supervision;

namespace Knd.Http;

/// <summary>
/// The JSON of <c>GET /status</c> and <c>knd status --json</c> (contract §5); null where unknown.
/// <see cref="Tracking"/>: the shard tracking of neard's config.json as knd last prepared the home.
/// </summary>
internal sealed record StatusReport(
    string NodeId,
    string AccountId,
    string State,
    bool IsLeader,
    string? LeaderNodeId,
    int? NeardPid,
    long? BlockHeight,
    bool? Syncing,
    string? SessionId,
    long? LastRenewAgeMs,
    ulong? FencingIndex,
    bool Paused,
    string? LastError,
    ProductionReport? Production = null,
    PeerStatus? Peers = null,
    NeardTracking? Tracking = null)
{
    public static StatusReport From(SupervisorStatus status)
    {
        var snapshot = status.Snapshot;
        if (snapshot is null)
        {
            return new StatusReport(status.NodeId, status.AccountId, nameof(SupervisorState.Startup), false, null, null, null, null, null, null, null, false, null, ProductionReport.From(null, status.Production, TimeSpan.Zero), Tracking: status.Tracking);
        }

        // The age is measured now, not when the snapshot was taken, so a stalled loop shows.
        var sinceSnapshot = status.Clock.Now - snapshot.TakenAt;
        long? renewAge = snapshot.LastRenewAge is { } age ? (long)(age + sinceSnapshot).TotalMilliseconds : null;
        return new StatusReport(
            status.NodeId,
            status.AccountId,
            snapshot.State.ToString(),
            snapshot.IsLeader,
            snapshot.LeaderNodeId,
            snapshot.NeardPid,
            snapshot.BlockHeight,
            snapshot.Syncing,
            snapshot.SessionId,
            renewAge,
            snapshot.FencingIndex,
            snapshot.Paused,
            snapshot.LastError,
            ProductionReport.From(snapshot, status.Production, sinceSnapshot),
            PeerStatus.From(status.PeerRules, snapshot.Peers, status.Clock.Now - snapshot.TakenAt),
            status.Tracking);
    }
}

/// <summary>
/// The peer channel in <c>/status</c>: the modes, and the machine's <see cref="PeerView"/>: as a
/// leader, whether every member's failsafe promise covers it and how many it holds, and whether it is
/// taking a lost lock back, and the failsafe member list its record publishes (and whether the record
/// shows it yet); as a member, how long its own promise still keeps it from the lock.
/// </summary>
internal sealed record PeerStatus(bool FastFailover, bool Failsafe, bool FailsafeCovered, int Promises, bool Reanchoring, long? PromisedForMs, IReadOnlyList<string>? FailsafeMembers = null, bool FailsafeMembersPublished = false)
{
    public static PeerStatus From(PeerRules rules, PeerView? view, TimeSpan sinceSnapshot) => new(
        rules.FastFailover,
        rules.Failsafe,
        view?.FailsafeCovers == true,
        view?.Promises ?? 0,
        view?.Reanchoring == true,
        view?.PromisedFor is { } left && left > sinceSnapshot ? (long)(left - sinceSnapshot).TotalMilliseconds : null,
        view?.Roster,
        view?.RosterPublished == true);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(ProductionReport))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
