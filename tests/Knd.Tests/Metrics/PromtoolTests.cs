using Knd.Consul;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Metrics;

public sealed class PromtoolTests
{
    [Fact(Timeout = 60_000)]
    public async Task Exposition_WithEverySeriesPresent_PassesPromtoolCheckMetrics()
    {
        using var harness = new MetricsHarness("0.1.0+odd\"ver\\sion\n");
        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Validating, harness.Status.Clock.Now) with
        {
            IsLeader = true,
            BlockHeight = 98_765,
            Syncing = false,
            SessionId = "s-1",
            LastRenewAge = TimeSpan.FromMilliseconds(700),
            FencingIndex = 77,
            Paused = true,
            Production = new ProductionView(2, 4, 0, 17, 120, 9, true, 98_700, TimeSpan.FromSeconds(3), 98_765, TimeSpan.FromMinutes(9)),
        });
        harness.Status.Production.Publish(Knd.Production.ProductionStats.Empty with
        {
            Blocks = new Knd.Neard.DutyCount(40, 38),
            Chunks = new Knd.Neard.DutyCount(40, 38),
            Endorsements = new Knd.Neard.DutyCount(40, 37),
            LastProducedHeight = 98_760,
            LastMissedHeight = 98_765,
        });
        harness.Status.Production.StepDownBlocked = true;
        harness.Counters.StrangerBlocks = 3;
        harness.Counters.NeardRestarts = 2;
        harness.Counters.CountDemotion(DemotionReason.Unhealthy);
        harness.Metrics.ObserveConsulRequest(ConsulOperations.SessionRenew, ConsulOperations.Ok);
        harness.Metrics.ObserveConsulRequest(ConsulOperations.KvGet, ConsulOperations.Outcome(ConsulErrorKind.NoClusterLeader));
        harness.Metrics.ObserveNeardRpcError();
        harness.Metrics.ObserveHook("pre_promote", "timeout", TimeSpan.FromSeconds(30));
        harness.Metrics.ObserveHook("on_role_change", "ok", TimeSpan.FromMilliseconds(40));
        harness.Metrics.ObserveHook("on_role_change", "dropped", TimeSpan.Zero);
        harness.Time.Advance(TimeSpan.FromSeconds(12.5));
        var exposition = harness.Metrics.Scrape();
        using var deadline = Deadline.After(TimeSpan.FromSeconds(50));

        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition, deadline.Token);

        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- exposition ---\n{exposition}");
        Assert.Contains("knd_leader_fencing_index 77\n", exposition, StringComparison.Ordinal);
        Assert.Contains("knd_hook_runs_total{hook=\"pre_promote\",outcome=\"timeout\"} 1\n", exposition, StringComparison.Ordinal);
        Assert.Contains("knd_hook_duration_seconds_count{hook=\"on_role_change\"} 1\n", exposition, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Exposition_AtStartup_PassesPromtoolCheckMetrics()
    {
        using var harness = new MetricsHarness();
        harness.Status.Counters = null;
        var exposition = harness.Metrics.Scrape();
        using var deadline = Deadline.After(TimeSpan.FromSeconds(50));

        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition, deadline.Token);

        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- exposition ---\n{exposition}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Promtool_RejectsABadExposition_SoTheCheckAboveCanFail()
    {
        using var deadline = Deadline.After(TimeSpan.FromSeconds(50));

        var (exitCode, _) = await Promtool.CheckMetricsAsync("# HELP bad x\n# TYPE bad counter\nbad 1\n", deadline.Token);

        Assert.NotEqual(0, exitCode);
    }
}
