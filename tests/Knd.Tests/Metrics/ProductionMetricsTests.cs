using Knd.Neard;
using Knd.Production;

namespace Knd.Tests.Metrics;

/// <summary>The production watch's families, set from the machine's snapshot and the chain watch's book at scrape time.</summary>
public sealed class ProductionMetricsTests : IDisposable
{
    private readonly MetricsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void BeforeTheChainWatchLooked_CountsAreAbsent_FlagsAreZero()
    {
        _h.Publish(SupervisorState.Voting);

        Assert.Null(_h.Value("knd_production_expected", ("kind", "block")));
        Assert.Null(_h.Value("knd_production_mischance"));
        Assert.Null(_h.Value("knd_production_last_produced_height"));
        Assert.Null(_h.Value("knd_doppelganger_height"));
        Assert.Equal(0, _h.Value("knd_production_not_producing"));
        Assert.Equal(0, _h.Value("knd_production_step_down_blocked"));
        Assert.Equal(0, _h.Value("knd_doppelganger_detected"));
        Assert.Equal(0, _h.Value("knd_doppelganger_blocks_total"));
    }

    [Fact]
    public void EpochCounters_PerKind_FromTheChainWatch()
    {
        _h.Publish(SupervisorState.Voting);
        _h.Status.Production.Publish(ProductionStats.Empty with
        {
            Blocks = new DutyCount(30, 27),
            Chunks = new DutyCount(60, 60),
            LastProducedHeight = 1200,
            LastMissedHeight = 1180,
        });

        Assert.Equal(30, _h.Value("knd_production_expected", ("kind", "block")));
        Assert.Equal(27, _h.Value("knd_production_produced", ("kind", "block")));
        Assert.Equal(3, _h.Value("knd_production_missed", ("kind", "block")));
        Assert.Equal(0, _h.Value("knd_production_missed", ("kind", "chunk")));
        Assert.Null(_h.Value("knd_production_expected", ("kind", "endorsement")));
        Assert.Equal(1200, _h.Value("knd_production_last_produced_height"));
        Assert.Equal(1180, _h.Value("knd_production_last_missed_height"));

        // The account stops being a validator: its counts go, they do not stay stale.
        _h.Status.Production.Publish(ProductionStats.Empty with { IsValidator = false });
        Assert.Null(_h.Value("knd_production_expected", ("kind", "block")));
    }

    [Fact]
    public void SilentLeader_AndABlockedStepDown_Show()
    {
        _h.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Validating, _h.Status.Clock.Now) with
        {
            IsLeader = true,
            Production = new ProductionView(3, 12, 0, 40, 100, 15, true, null, null, 500),
        });
        _h.Status.Production.StepDownBlocked = true;

        Assert.Equal(1, _h.Value("knd_production_not_producing"));
        Assert.Equal(1, _h.Value("knd_production_step_down_blocked"));
        Assert.Equal(12, _h.Value("knd_production_mischance"));
        Assert.Equal(3, _h.Value("knd_production_mischance_confidence"));
        Assert.Equal(40, _h.Value("knd_production_rank"));
        Assert.Equal(0, _h.Value("knd_production_streak"));
        Assert.Equal(500, _h.Value("knd_production_scanned_height"));
    }

    [Fact]
    public void Doppelganger_DetectedWhileTheHoldLasts_CountedAndItsHeightKept()
    {
        _h.Status.Publish(MetricsHarness.Snapshot(SupervisorState.Voting, _h.Status.Clock.Now) with
        {
            Production = new ProductionView(0, 0, 0, 0, 0, 0, false, 4242, TimeSpan.Zero, 4250, TimeSpan.FromSeconds(30)),
        });
        _h.Counters.StrangerBlocks = 2;

        Assert.Equal(1, _h.Value("knd_doppelganger_detected"));
        Assert.Equal(4242, _h.Value("knd_doppelganger_height"));
        Assert.Equal(30, _h.Value("knd_doppelganger_hold_seconds"));
        Assert.Equal(2, _h.Value("knd_doppelganger_blocks_total"));

        // The hold is aged to the scrape, like every remaining time.
        _h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, _h.Value("knd_doppelganger_detected"));
        Assert.Equal(0, _h.Value("knd_doppelganger_hold_seconds"));
        Assert.Equal(4242, _h.Value("knd_doppelganger_height"));
    }
}
