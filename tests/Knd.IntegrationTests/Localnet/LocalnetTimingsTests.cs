using Knd.Localnet;

namespace Knd.IntegrationTests.Localnet;

/// <summary>The watchdog and the failover bounds the localnet derives (docs/run-localnet.md).</summary>
public sealed class LocalnetTimingsTests
{
    [Theory]
    [InlineData(10_000, 5_000, 2_000)]
    [InlineData(3_000, 1_000, 900)]
    [InlineData(3_000, 0, 900)]
    [InlineData(2_000, 0, 600)]
    [InlineData(60_000, 5_000, 2_000)]
    public void DefaultWatchdog_IsTheLongestSafeOneUpToTheShippedTwoSeconds(int ttlMs, int lockDelayMs, int expectedMs)
    {
        var timings = new LocalnetTimings(new LocalnetOptions { SessionTtl = TimeSpan.FromMilliseconds(ttlMs), LockDelay = TimeSpan.FromMilliseconds(lockDelayMs) });

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), timings.Watchdog);
        Assert.True(timings.WatchdogIsSafe);
    }

    [Fact]
    public void Watchdog_TooLongForTheTtl_IsUnsafe()
    {
        var timings = new LocalnetTimings(new LocalnetOptions { SessionTtl = TimeSpan.FromSeconds(3), LockDelay = TimeSpan.FromSeconds(1), Watchdog = TimeSpan.FromSeconds(3) });

        Assert.False(timings.WatchdogIsSafe);
    }

    [Fact]
    public void Bounds_AtTheDefaults_FollowTheFailoverAlgorithm()
    {
        var timings = new LocalnetTimings(new LocalnetOptions());

        // 2 x TTL + lock-delay + hot-swap promotion.
        Assert.Equal(TimeSpan.FromSeconds(26), timings.Bound(FaultKind.KillLeaderHost));
        Assert.Equal(TimeSpan.FromSeconds(26), timings.Bound(FaultKind.KillKnd));
        Assert.Equal(TimeSpan.FromSeconds(26), timings.Bound(FaultKind.PartitionLeader));
        Assert.Equal(TimeSpan.FromSeconds(26), timings.Bound(FaultKind.FreezeKnd));
        Assert.Equal(TimeSpan.FromSeconds(26), timings.Bound(FaultKind.ConsulNoLeader));

        // Tick + promotion; 3 x (poll + RPC timeout) + stop (2 s) + kill confirm (1 s) + promotion; stop + confirm + promotion.
        Assert.Equal(TimeSpan.FromMilliseconds(1250), timings.Bound(FaultKind.CrashNeard));
        Assert.Equal(TimeSpan.FromMilliseconds(8500), timings.Bound(FaultKind.HangNeard));
        Assert.Equal(TimeSpan.FromSeconds(4), timings.Bound(FaultKind.Switchover));
        Assert.Equal(TimeSpan.FromSeconds(4), timings.Bound(FaultKind.StopLeader));

        // Watch recovery (1 s) + TTL + lock-delay + acquire retry + promotion; the slow fault lasts 3 x TTL.
        Assert.Equal(TimeSpan.FromMilliseconds(17250), timings.Bound(FaultKind.ConsulRestart));
        Assert.Equal(TimeSpan.FromSeconds(30), timings.Bound(FaultKind.ConsulSlow));
        Assert.Equal(TimeSpan.FromSeconds(30), timings.Bound(FaultKind.ConsulGarbage));
        Assert.Equal(TimeSpan.FromMilliseconds(1700), timings.SlowConsulLatency);

        // silent-leader: 3 tolerated + 10 mischance + 1 misses; then a block, a health poll, stop (2 s) + kill confirm (1 s) + promotion.
        Assert.Equal(14, LocalnetTimings.SilentLeaderMisses);
        Assert.Equal(TimeSpan.FromSeconds(5), timings.SilentLeaderStepDown);

        // rogue-signer, from the rogue's stop: stop (2 s) + kill confirm (1 s) + RestartSec (1 s) + start-up (10 s) + acquire retry + promotion;
        // the rogue starts once the lock has been free for the fence bound (8.25 s) + knd's slack (2 s) + 1 s.
        Assert.Equal(TimeSpan.FromMilliseconds(15250), timings.Bound(FaultKind.RogueSigner));
        Assert.Equal(TimeSpan.FromMilliseconds(11250), timings.RogueStartAfterFree);
    }

    [Theory]
    [InlineData("all", 17)]
    [InlineData("silent-leader,rogue-signer", 2)]
    [InlineData("stop-leader", 1)]
    [InlineData("kill-knd,switchover", 2)]
    [InlineData("kill-knd, kill-knd", 1)]
    public void FaultList_NamesOneOrMoreKinds(string text, int count) =>
        Assert.Equal(count, FaultKinds.Parse(text)!.Count);

    [Theory]
    [InlineData(false, "block producer")]
    [InlineData(true, "chunk-only producer")]
    public void ChunkOnly_MakesTheAccountAChunkOnlyProducer_AndSaysSo(bool chunkOnly, string producer)
    {
        var (options, error) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, "1", "rogue-signer", null, chunkOnly: chunkOnly);

        Assert.Null(error);
        Assert.Equal((chunkOnly, producer), (options!.ChunkOnly, options.Producer));
    }

    [Fact]
    public void FastFailover_BoundsAreSilencePlusTheLockDelayThatCoversTheFence()
    {
        var (options, error) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, "1", "kill-leader-host", null, fastFailover: true);
        Assert.Null(error);
        var timings = new LocalnetTimings(options!);

        // Fence bound 4 + 0.25 + 1 + 0.5 = 5.75 s; the lock-delay knd takes is that + 0.5 s.
        Assert.Equal(TimeSpan.FromMilliseconds(5750), timings.Knd.FenceBound);
        Assert.Equal(TimeSpan.FromMilliseconds(6250), options!.LockDelay);

        // Silence 2 s + tick + lock-delay + promotion; partitioned: + a renew interval (2 s) before the cut.
        Assert.Equal(TimeSpan.FromMilliseconds(9_500), timings.Bound(FaultKind.KillLeaderHost));
        Assert.Equal(TimeSpan.FromMilliseconds(11_500), timings.Bound(FaultKind.PartitionLeader));
        Assert.True(timings.Bound(FaultKind.KillLeaderHost) < new LocalnetTimings(new LocalnetOptions()).Bound(FaultKind.KillLeaderHost) / 2);

        // A Consul back empty: the watch's retry and first answer (1 s), then only the lock-delay, acquire retry and promotion.
        Assert.Equal(TimeSpan.FromMilliseconds(8_500), timings.Bound(FaultKind.ConsulDownKillLeader));
        Assert.Equal(TimeSpan.FromMilliseconds(8_500), timings.Bound(FaultKind.ConsulRestart));
        Assert.True(timings.Bound(FaultKind.ConsulDownKillLeader) <= timings.Bound(FaultKind.KillLeaderHost));
    }

    [Fact]
    public void FastFailover_LeaderSilence_ShortensTheBoundsByWhatItSaves()
    {
        var (options, error) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, "1", "kill-leader-host", null, fastFailover: true, leaderSilence: "1500ms");
        Assert.Null(error);
        var timings = new LocalnetTimings(options!);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), options!.LeaderSilence);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), timings.Peers.LeaderSilence);
        Assert.Equal(TimeSpan.FromMilliseconds(9_000), timings.Bound(FaultKind.KillLeaderHost));
        Assert.Equal(TimeSpan.FromMilliseconds(11_000), timings.Bound(FaultKind.PartitionLeader));
    }

    [Fact]
    public void LeaderSilence_IsPassedToEveryKnd_OnlyWhenGiven()
    {
        var layout = new NodeLayout(Path.GetTempPath(), 0);
        var given = LocalCluster.PeerArguments(new LocalnetOptions { FastFailover = true, LeaderSilence = TimeSpan.FromMilliseconds(1500) }, layout, "/secret");
        var defaulted = LocalCluster.PeerArguments(new LocalnetOptions { FastFailover = true }, layout, "/secret");

        Assert.Equal("1500ms", given[given.IndexOf("--leader-silence") + 1]);
        Assert.DoesNotContain("--leader-silence", defaulted);
    }

    [Theory]
    [InlineData("900ms", true, "--leader-silence: '900ms' must be at least 1s (four heartbeats) and below the session TTL (10s)")]
    [InlineData("10s", true, "--leader-silence: '10s' must be at least 1s (four heartbeats) and below the session TTL (10s)")]
    [InlineData("2s", false, "--leader-silence: needs --fast-failover (only fast failover acts on a silent leader)")]
    [InlineData("soon", true, "--leader-silence: ")]
    public void LeaderSilence_OutOfRangeOrWithoutFastFailover_IsRefusedNamingIt(string value, bool fastFailover, string expected)
    {
        var (options, error) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, null, null, null, fastFailover: fastFailover, leaderSilence: value);

        Assert.Null(options);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void FastFailover_ExplicitLockDelayBelowTheFence_IsRefusedNamingIt()
    {
        var (_, error) = LocalnetArguments.Parse(null, null, null, null, "5s", null, null, null, null, null, null, fastFailover: true);

        Assert.StartsWith("--lock-delay:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Failsafe_MakesTheConsulOutagesRideThrough()
    {
        Assert.False(FaultKind.ConsulDown.IsRideThrough(failsafe: false));
        Assert.True(FaultKind.ConsulDown.IsRideThrough(failsafe: true));
        Assert.True(FaultKind.ConsulLeaderDown.IsRideThrough(failsafe: true));
        Assert.True(FaultKind.ConsulNoLeader.IsRideThrough(failsafe: true));
        Assert.False(FaultKind.ConsulDownKillLeader.IsRideThrough(failsafe: true));
        Assert.False(FaultKind.PartitionLeader.IsRideThrough(failsafe: true));
    }

    [Fact]
    public void Etcd_AllFaultsAddTheQuorumLoss_WhichConsulRefusesNamingTheDcs()
    {
        Assert.Equal(17, FaultKinds.Parse("all")!.Count);
        Assert.Equal(18, FaultKinds.Parse("all", etcd: true)!.Count);
        Assert.Contains(FaultKind.EtcdQuorumLoss, FaultKinds.Parse("all", etcd: true)!);

        var (_, onConsul) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, "1", "kill-knd,etcd-quorum-loss", null);
        Assert.Equal("--fault: etcd-quorum-loss needs --dcs etcd", onConsul);
        var (options, onEtcd) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, "1", "etcd-quorum-loss", null, dcs: "etcd");
        Assert.Null(onEtcd);
        Assert.True(options!.OnEtcd);
        var (_, unknown) = LocalnetArguments.Parse(null, null, null, null, null, null, null, null, null, null, null, dcs: "zookeeper");
        Assert.Equal("--dcs: 'zookeeper' is not one of: consul, etcd", unknown);
    }

    [Fact]
    public void Etcd_BoundsFollowTheLeaseNotConsulsTwiceTheTtl()
    {
        var timings = new LocalnetTimings(new LocalnetOptions { Dcs = "etcd" });

        // The lease (10 s) + the expiry check (1 s) + lock-delay (5 s) + hot-swap promotion (1 s).
        Assert.Equal(TimeSpan.FromSeconds(17), timings.Bound(FaultKind.KillLeaderHost));
        Assert.Equal(TimeSpan.FromSeconds(17), timings.Bound(FaultKind.PartitionLeader));

        // A TTL of 2.5 s is granted as a 3 s lease.
        Assert.Equal(TimeSpan.FromSeconds(3), new LocalnetTimings(new LocalnetOptions { Dcs = "etcd", SessionTtl = TimeSpan.FromSeconds(2.5) }).EtcdLeaseTtl);

        // From the quorum's return: the election (3 s) + the new leader's lease extension (1 s) + the expiry above.
        Assert.Equal(TimeSpan.FromSeconds(21), timings.Bound(FaultKind.EtcdQuorumLoss));
        Assert.Equal(TimeSpan.FromSeconds(21), timings.Bound(FaultKind.ConsulLeaderDown));

        // A wiped etcd: the channel's reconnect (1 s) + the watch's (1 s) + TTL + lock-delay + acquire retry + promotion.
        Assert.Equal(TimeSpan.FromMilliseconds(18250), timings.Bound(FaultKind.ConsulRestart));

        // etcd's leader killed: an endurance fault on etcd, a failover bound on Consul.
        Assert.True(FaultKind.ConsulNoLeader.IsEndurance(etcd: true));
        Assert.False(FaultKind.ConsulNoLeader.IsEndurance());
        Assert.True(timings.Bound(FaultKind.KillLeaderHost) < new LocalnetTimings(new LocalnetOptions()).Bound(FaultKind.KillLeaderHost));
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("kill-knd,")]
    [InlineData("kill-knd,all")]
    public void FaultList_WithAnUnknownName_IsRefused(string text) =>
        Assert.Null(FaultKinds.Parse(text));

    [Fact]
    public void RestartPromotion_AddsNeardStartUpToEveryBound()
    {
        var hotSwap = new LocalnetTimings(new LocalnetOptions());
        var restart = new LocalnetTimings(new LocalnetOptions { Promotion = "restart" });

        Assert.All(Enum.GetValues<FaultKind>().Where(f => !f.IsRideThrough() && !f.IsEndurance()), f => Assert.Equal(hotSwap.Bound(f) + TimeSpan.FromSeconds(2), restart.Bound(f)));
    }
}
