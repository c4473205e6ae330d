using System.Text.Json.Serialization;
using Knd.Supervision;

namespace Knd.Http;

/// <summary>The JSON of <c>GET /status</c> and <c>knd status --json</c> (contract §5); null where unknown.</summary>
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
    ProductionReport? Production = null)
{
    public static StatusReport From(SupervisorStatus status)
    {
        var snapshot = status.Snapshot;
        if (snapshot is null)
        {
            return new StatusReport(status.NodeId, status.AccountId, nameof(SupervisorState.Startup), false, null, null, null, null, null, null, null, false, null, ProductionReport.From(null, status.Production, TimeSpan.Zero));
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
            ProductionReport.From(snapshot, status.Production, sinceSnapshot));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(ProductionReport))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
