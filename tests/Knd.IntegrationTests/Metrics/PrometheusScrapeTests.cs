using Knd.IntegrationTests.Infrastructure;
using Knd.Metrics;
using Knd.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Metrics;

/// <summary>A real Prometheus server scrapes knd's /metrics and sees the one-hot state.</summary>
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public async Task RealPrometheus_ScrapesMetrics_AndSeesTheCurrentStateAtOne()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var status = new SupervisorStatus(new MonotonicClock(TimeProvider.System), "node-a", "validator.pool.near");
        status.Counters = new SupervisorCounters();
        status.Publish(Snapshot(SupervisorState.Voting, isLeader: false));
        using var metrics = new KndMetrics(status, "0.1.0-it", NullLogger.Instance);
        await using var app = await StartExporterAsync(metrics, deadline.Token);
        var target = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Authority;
        await using var prometheus = await PrometheusServer.StartAsync(target, deadline.Token);

        await WaitForStateAsync(prometheus, SupervisorState.Voting);
        var up = await prometheus.QueryAsync("up{job=\"knd\"}");
        Assert.Equal("1", Assert.Single(up).Value);

        status.Publish(Snapshot(SupervisorState.Validating, isLeader: true));
        await WaitForStateAsync(prometheus, SupervisorState.Validating);
        await Eventually.UntilAsync(
            async () => (await prometheus.QueryAsync("knd_is_leader")) is [{ Value: "1" }],
            Patience,
            () => "knd_is_leader 1 in Prometheus\n" + prometheus.Output);
        await app.StopAsync(deadline.Token);
    }

    private static async Task WaitForStateAsync(PrometheusServer prometheus, SupervisorState expected)
    {
        IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, string Value)> last = [];
        await Eventually.UntilAsync(
            async () =>
            {
                last = await prometheus.QueryAsync("knd_state");
                return last.Count == 6 && last.Any(s => s.Labels["state"] == expected.ToString() && s.Value == "1");
            },
            Patience,
            () => $"knd_state{{state=\"{expected}\"}} 1 in Prometheus; last answer: {Describe(last)}\n{prometheus.Output}");

        // All six states, each with the job's labels, exactly one at 1.
        Assert.Equal(Enum.GetNames<SupervisorState>().Order(StringComparer.Ordinal), last.Select(s => s.Labels["state"]).Order(StringComparer.Ordinal));
        Assert.All(last, s =>
        {
            Assert.Equal("knd_state", s.Labels["__name__"]);
            Assert.Equal("knd", s.Labels["job"]);
            Assert.Equal(s.Labels["state"] == expected.ToString() ? "1" : "0", s.Value);
        });
    }

    private static string Describe(IEnumerable<(IReadOnlyDictionary<string, string> Labels, string Value)> series) =>
        string.Join("; ", series.Select(s => $"{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))} => {s.Value}"));

    private static async Task<WebApplication> StartExporterAsync(KndMetrics metrics, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        MetricsEndpoint.Map(app, metrics);
        await app.StartAsync(cancellationToken);
        return app;
    }

    private static SupervisorSnapshot Snapshot(SupervisorState state, bool isLeader) =>
        new(state, isLeader, null, null, 100, false, true, "s-1", TimeSpan.Zero, isLeader ? 42UL : null, false, null, TimeSpan.Zero);
}
