using Knd.Consul;
using Knd.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Metrics;

public sealed class KndMetricsTests
{
    [Fact]
    public void State_BeforeAnySnapshot_IsStartup()
    {
        using var harness = new MetricsHarness();

        Assert.Equal(1, harness.Value("knd_state", ("state", "Startup")));
        Assert.Equal(0, harness.Value("knd_state", ("state", "Validating")));
    }

    [Theory]
    [InlineData("Startup")]
    [InlineData("Syncing")]
    [InlineData("Registering")]
    [InlineData("Voting")]
    [InlineData("Validating")]
    [InlineData("Shutdown")]
    public void State_FollowsTheSnapshot_OneHotOverAllSixStates(string name)
    {
        var state = Enum.Parse<SupervisorState>(name);
        using var harness = new MetricsHarness();
        harness.Publish(state);

        var series = harness.Samples().Where(s => s.Name == "knd_state").ToDictionary(s => s.Label("state")!, s => s.Value);

        Assert.Equal(["Registering", "Shutdown", "Startup", "Syncing", "Validating", "Voting"], series.Keys.Order(StringComparer.Ordinal));
        Assert.All(series, pair => Assert.Equal(pair.Key == state.ToString() ? 1 : 0, pair.Value));
    }

    [Fact]
    public void IsLeaderAndPaused_FollowTheSnapshot()
    {
        using var harness = new MetricsHarness();
        Assert.Equal(0, harness.Value("knd_is_leader"));
        Assert.Equal(0, harness.Value("knd_paused"));

        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Validating) with { IsLeader = true, Paused = true });

        Assert.Equal(1, harness.Value("knd_is_leader"));
        Assert.Equal(1, harness.Value("knd_paused"));
    }

    [Fact]
    public void MachineCounters_AreExportedAsCounters()
    {
        using var harness = new MetricsHarness();
        Assert.Equal(0, harness.Value("knd_neard_restarts_total"));

        harness.Counters.NeardRestarts = 3;
        harness.Counters.Promotions = 2;
        harness.Counters.SelfFences = 1;

        Assert.Equal(3, harness.Value("knd_neard_restarts_total"));
        Assert.Equal(2, harness.Value("knd_promotions_total"));
        Assert.Equal(1, harness.Value("knd_self_fence_total"));
        var text = harness.Metrics.Scrape();
        Assert.Contains("# TYPE knd_neard_restarts_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE knd_promotions_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE knd_self_fence_total counter\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Demotions_EveryReasonHasASeries_InSnakeCase()
    {
        using var harness = new MetricsHarness();
        harness.Counters.CountDemotion(DemotionReason.SelfFence);
        harness.Counters.CountDemotion(DemotionReason.LockLost);
        harness.Counters.CountDemotion(DemotionReason.LockLost);

        var reasons = harness.Samples().Where(s => s.Name == "knd_demotions_total").ToDictionary(s => s.Label("reason")!, s => s.Value);

        Assert.Equal(Enum.GetValues<DemotionReason>().Length, reasons.Count);
        Assert.Equal(1, reasons["self_fence"]);
        Assert.Equal(2, reasons["lock_lost"]);
        Assert.Equal(0, reasons["promotion_failed"]);
        Assert.Equal(0, reasons["session_lost"]);
    }

    [Fact]
    public void Counters_BeforeTheMachineExists_AreZero()
    {
        using var harness = new MetricsHarness();
        harness.Status.Counters = null;

        Assert.Equal(0, harness.Value("knd_promotions_total"));
        Assert.Equal(0, harness.Value("knd_demotions_total", ("reason", "self_fence")));
    }

    [Fact]
    public void ConsulRequests_CountedByOperationAndOutcome()
    {
        using var harness = new MetricsHarness();
        Assert.DoesNotContain(harness.Samples(), s => s.Name == "knd_consul_requests_total");
        Action<string, string> observer = harness.Metrics.ObserveConsulRequest;

        observer(ConsulOperations.SessionRenew, ConsulOperations.Ok);
        observer(ConsulOperations.SessionRenew, ConsulOperations.Ok);
        observer(ConsulOperations.SessionRenew, ConsulOperations.Outcome(ConsulErrorKind.Timeout));
        observer(ConsulOperations.KvAcquire, ConsulOperations.Ok);

        Assert.Equal(2, harness.Value("knd_consul_requests_total", ("op", "session_renew"), ("outcome", "ok")));
        Assert.Equal(1, harness.Value("knd_consul_requests_total", ("op", "session_renew"), ("outcome", "timeout")));
        Assert.Equal(1, harness.Value("knd_consul_requests_total", ("op", "kv_acquire"), ("outcome", "ok")));
    }

    [Fact]
    public async Task ConsulRequests_ConcurrentObservations_AreAllCounted()
    {
        using var harness = new MetricsHarness();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                harness.Metrics.ObserveConsulRequest(ConsulOperations.KvGet, ConsulOperations.Ok);
            }
        })));

        Assert.Equal(40_000, harness.Value("knd_consul_requests_total", ("op", "kv_get"), ("outcome", "ok")));
    }

    [Fact]
    public void NeardRpcErrors_StartAtZero_AndCount()
    {
        using var harness = new MetricsHarness();
        Assert.Equal(0, harness.Value("knd_neard_rpc_errors_total"));

        harness.Metrics.ObserveNeardRpcError();
        harness.Metrics.ObserveNeardRpcError();

        Assert.Equal(2, harness.Value("knd_neard_rpc_errors_total"));
    }

    [Fact]
    public void NeardValues_AbsentUntilKnown_ThenFollowTheSnapshot()
    {
        using var harness = new MetricsHarness();
        harness.Publish(SupervisorState.Startup);
        Assert.Null(harness.Value("knd_neard_block_height"));
        Assert.Null(harness.Value("knd_neard_syncing"));

        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Syncing) with { BlockHeight = 123_456_789_012, Syncing = true });
        Assert.Equal(123_456_789_012, harness.Value("knd_neard_block_height"));
        Assert.Equal(1, harness.Value("knd_neard_syncing"));

        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Registering) with { BlockHeight = 123_456_789_013, Syncing = false });
        Assert.Equal(0, harness.Value("knd_neard_syncing"));
    }

    [Fact]
    public void FencingIndex_OnlyWhileLeader()
    {
        using var harness = new MetricsHarness();
        harness.Publish(SupervisorState.Voting);
        Assert.Null(harness.Value("knd_leader_fencing_index"));

        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Validating) with { IsLeader = true, FencingIndex = 4242 });

        Assert.Equal(4242, harness.Value("knd_leader_fencing_index"));
    }

    [Fact]
    public void SessionRenewAge_AgesWithTheClock_AbsentWithoutSession()
    {
        using var harness = new MetricsHarness();
        harness.Publish(SupervisorState.Registering);
        Assert.Null(harness.Value("knd_session_renew_age_seconds"));

        harness.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Voting, harness.Status.Clock.Now) with { SessionId = "s-1", LastRenewAge = TimeSpan.FromSeconds(1.5) });
        Assert.Equal(1.5, harness.Value("knd_session_renew_age_seconds"));

        // The loop is stuck: no new snapshot, yet the age keeps growing.
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3.5, harness.Value("knd_session_renew_age_seconds"));
    }

    [Fact]
    public void UptimeAndLastTickAge_FollowTheMonotonicClock()
    {
        using var harness = new MetricsHarness();
        harness.Time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(90, harness.Value("knd_uptime_seconds"));
        Assert.Equal(90, harness.Value("knd_last_tick_age_seconds"));

        harness.Status.MarkTick();
        harness.Time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal(90.25, harness.Value("knd_uptime_seconds"));
        Assert.Equal(0.25, harness.Value("knd_last_tick_age_seconds"));
    }

    [Fact]
    public void BuildInfo_IsOne_WithTheVersionLabel()
    {
        using var harness = new MetricsHarness("0.1.0+abc123");

        Assert.Equal(1, harness.Value("knd_build_info", ("version", "0.1.0+abc123")));
        Assert.Equal("0.1.0+abc123", harness.Metrics.Version);
    }

    [Fact]
    public void WatchdogEnabled_IsZeroWithoutAWatchdog_OneWithIt()
    {
        using var without = new MetricsHarness();
        using var status = new MetricsHarness();
        using var with = new KndMetrics(status.Status, "1", NullLogger.Instance) { WatchdogEnabled = true };

        Assert.Equal(0, without.Value("knd_watchdog_enabled"));
        Assert.Contains("\nknd_watchdog_enabled 1\n", with.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void BuildVersion_IsTheAssemblyVersion() => Assert.StartsWith("0.1.0", KndMetrics.BuildVersion, StringComparison.Ordinal);

    [Fact]
    public void Scrape_ExportsExactlyTheContractFamilies_WithTheirTypes()
    {
        using var harness = new MetricsHarness();
        var types = harness.Metrics.Scrape().Split('\n')
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l["# TYPE ".Length..])
            .ToList();

        Assert.Equal(ContractFamilies.All.Select(f => $"{f.Name} {f.Type}").Order(StringComparer.Ordinal), types);
    }

    [Fact]
    public void Scrape_WritesTheFamiliesSortedByName_EachWithHelpAndType()
    {
        using var harness = new MetricsHarness();
        var lines = harness.Metrics.Scrape().Split('\n');
        var helps = lines.Where(l => l.StartsWith("# HELP ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        var types = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();

        Assert.Equal(helps.Order(StringComparer.Ordinal), helps);
        Assert.Equal(helps, types);
        Assert.Equal(ContractFamilies.All.Length, helps.Count);
    }

    [Fact]
    public void Scrape_HasNoDefaultCollectors()
    {
        using var harness = new MetricsHarness();

        Assert.All(harness.Samples(), s => Assert.StartsWith("knd_", s.Name, StringComparison.Ordinal));
    }
}
