namespace Knd.Metrics;

/// <summary><c>GET /metrics</c> (contract §6): the Prometheus text format 0.0.4.</summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Map(WebApplication app, KndMetrics metrics) =>
        app.MapGet(Path, async (CancellationToken cancellationToken) => Results.Text(await metrics.ScrapeAsync(cancellationToken), KndMetrics.ContentType));
}
