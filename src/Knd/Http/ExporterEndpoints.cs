using Knd.Supervision;

namespace Knd.Http;

/// <summary>The HTTP endpoints of contract §6 on <c>--exporter-address</c>.</summary>
internal static class ExporterEndpoints
{
    public static void Map(WebApplication app, SupervisorStatus status, TimeSpan sessionTtl)
    {
        // Patroni's liveness rule: healthy while the loop has ticked within the TTL.
        app.MapGet("/health", () => status.SinceLastTick <= sessionTtl
            ? Results.Text("OK\n")
            : Results.Text($"supervision loop last ticked {status.SinceLastTick.TotalMilliseconds:0} ms ago\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/leader", () => status.Snapshot is { IsLeader: true }
            ? Results.Text("leader\n")
            : Results.Text("not leader\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/passive", () => IsReadyPassive(status.Snapshot)
            ? Results.Text("passive, synced\n")
            : Results.Text("not a ready passive\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/status", () => Results.Json(StatusReport.From(status), HttpJsonContext.Default.StatusReport));
    }

    private static bool IsReadyPassive(SupervisorSnapshot? snapshot) =>
        snapshot is { State: SupervisorState.Voting, NeardHealthy: true, Syncing: false, IsLeader: false };
}
