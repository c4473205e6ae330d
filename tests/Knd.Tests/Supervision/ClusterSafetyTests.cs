using CsCheck;

namespace Knd.Tests.Supervision;

/// <summary>
/// Two or three real failover machines against a model lock service and model neards, under random
/// fault plans (partitions of Consul, of the peer channel or of both, no leader, the service
/// restarting empty or restoring an older index, slow answers, neard crashes, knd restarts without
/// memory), with the peer channel's fast failover and failsafe on or off. CsCheck generates the plans
/// and, when one breaks the promise, shrinks it to a minimal schedule and prints it with a seed to replay.
/// <para>
/// Which weakened rule each test catches (each was tried):
/// - no hold-off after the lock key goes missing: RandomFaultPlans and ServiceRestartsEmpty (a passive
///   takes the empty key while the old leader signs);
/// - with fast failover, a hold-off after a lost state of FenceAfter (the fence bound less the stop):
///   ServiceRestartsEmpty_WhileTheLeaderIsCutOff (fast: true); no hold-off at all: both
///   ServiceRestartsEmpty tests (fast: true). (Fence bound - 1 s passes: the model's stops rarely take
///   their whole bound right after a renewal; StateLossTests pins the wait to the lock-delay, and
///   catches the short wait taken for a holder whose fence bound this node never heard.)
/// - renewals scheduled from the answer: ServiceSlowJustBelowTheRequestTimeout (self-fences);
/// - fast failover with a lock-delay below the fence bound (1 s): LeaderCutOff (every partition kind)
///   and RandomFaultPlans (a passive destroys the leader's session and signs before it stopped);
/// - a member that promises although it reaches Consul: RandomFaultPlans (a leader cut off from Consul
///   signs on past its session's expiry; the world counts as binding only the promises of members that
///   could not reach the service when they gave them) and PeerChannelTests.Member_ThatReachesConsul_Refuses;
/// - a restart promotion that starts the validator on a renewal older than FenceAfter because the
///   failsafe covers it: FailsafePromotion_ServiceLeaderlessWhileTheVoterStops (the safety assertion
///   stops the machine) and PeerChannelTests.Promotion_ConsulDownWhileTheVoterStops;
/// - a promise that does not bind its member, or a leader that stops too late for its oldest promise:
///   PeerChannelTests (Member_..._DoesNotTakeTheLockBeforeItEnds, Leader_PromisesStopComing_...).
/// </para>
/// </summary>
public sealed class ClusterSafetyTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(3);

    private static readonly Gen<PlannedFault> Fault =
        Gen.Select(Gen.Int[0, 170_000], Gen.Enum<WorldFault>(), Gen.Int[0, 2], Gen.Int[200, 40_000], (at, kind, node, duration) => new PlannedFault(at, kind, node, duration));

    private static readonly Gen<WorldPlan> Plans =
        Gen.Select(Gen.Int, Gen.Int[2, 3], Gen.Bool, Fault.Array[0, 10], Gen.Bool, Gen.Bool, (seed, nodes, hotSwap, faults, fast, failsafe) => new WorldPlan(seed, nodes, hotSwap, faults, fast, failsafe));

    [Fact]
    public void RandomFaultPlans_NeverLeaveTwoSigners()
    {
        Plans.Sample(plan => Violations(plan).Count == 0, iter: 300, print: Describe);
    }

    [Fact]
    public void RandomFaultPlans_LetTheClusterLead()
    {
        // The property above checks nothing if the model never lets anyone lead.
        var led = 0;
        Plans.Sample(plan => { if (Run(plan).Promotions > 0) { Interlocked.Increment(ref led); } }, iter: 50);

        Assert.True(led >= 45, $"only {led} of 50 plans ever promoted a node");
    }

    /// <summary>
    /// A plan CI's random run found: the lock service slow, then leaderless just after node 1 won the
    /// lock, so its voter's stop outlasted FenceAfter while node 0's promises covered it; the validator
    /// start then tripped the safety assertion. The promotion now waits for a renewal. Replayed with
    /// the 2 s SIGTERM grace fast failover had then: the voter's stop must outlast FenceAfter.
    /// </summary>
    [Fact]
    public void FailsafePromotion_ServiceLeaderlessWhileTheVoterStops_StartsNoSignerOnAStaleRenewal()
    {
        var plan = new WorldPlan(-3340272, 2, false, [
            new PlannedFault(22807, WorldFault.ServiceRestartEmpty, 0, 5226),
            new PlannedFault(32662, WorldFault.ServiceSlow, 1, 30610),
            new PlannedFault(40550, WorldFault.ServiceIndexRegression, 0, 36447),
            new PlannedFault(44156, WorldFault.ServiceNoLeader, 1, 9323),
        ], FastFailover: true, Failsafe: true, NeardStopTimeoutMs: 2000);

        var world = Run(plan);

        Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}\n{world.Recent()}");
        Assert.Contains(world.Trace, line => line.Contains("waits for a session renewal", StringComparison.Ordinal));
    }

    /// <summary>The schedules of issue 11 item 1: the service restarts empty while a leader signs, with a knd restart on a passive.</summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void ServiceRestartsEmpty_WhileAPassiveKndRestarts_NoSecondSigner(bool hotSwap, bool fast)
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            var plan = new WorldPlan(seed, 3, hotSwap, [
                new PlannedFault(40_000, WorldFault.ServiceRestartEmpty, 0, 300 + (seed * 50)),
                new PlannedFault(40_100 + (seed * 30), WorldFault.RestartKnd, (seed % 2) + 1, 600),
            ], FastFailover: fast);

            var world = Run(plan);

            Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}");
            Assert.True(world.Promotions >= 2, $"{plan}: nobody led again after the restart");
        }
    }

    /// <summary>
    /// The worst case of the hold-off after a lost state: the leader is cut off from the lock service
    /// just before it comes back empty, so it does not hear the 404 and signs until its fence, while
    /// the passives see the key missing at once. With fast failover the hold-off is only the lock-delay.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ServiceRestartsEmpty_WhileTheLeaderIsCutOff_NoSecondSigner(bool fast, bool failsafe)
    {
        for (var seed = 1; seed <= 30; seed++)
        {
            foreach (var node in new[] { 0, 1, 2 })
            {
                var plan = new WorldPlan(seed, 3, seed % 2 == 0, [
                    new PlannedFault(39_700 + (seed * 10), WorldFault.PartitionNode, node, 20_000),
                    new PlannedFault(40_000, WorldFault.ServiceRestartEmpty, 0, 200 + (seed * 20)),
                ], fast, failsafe);

                var world = Run(plan);

                Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}");
                Assert.True(world.Led, $"{plan}: nobody leads after the restart\n{world.Recent(60)}");
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ServiceSlowJustBelowTheRequestTimeout_NoFenceNoCrash(bool hotSwap)
    {
        var plan = new WorldPlan(7, 3, hotSwap, [new PlannedFault(30_000, WorldFault.ServiceSlow, 0, 120_000)]);

        var world = Run(plan);

        Assert.Empty(world.Violations);
        Assert.Equal(0, world.SelfFences);
        Assert.Equal(1, world.Promotions);
    }

    /// <summary>Issue 14: Consul down for a minute and back empty; with the failsafe the leader signs throughout and keeps the lock.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConsulDownAMinute_WithFailsafe_TheLeaderSignsThroughAndTakesTheLockBack(bool fast)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var plan = new WorldPlan(seed, 3, true, [new PlannedFault(40_000, WorldFault.ServiceRestartEmpty, 0, 60_000)], fast, Failsafe: true);

            var world = Run(plan);

            Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}");
            Assert.True(world.Promotions == 1, $"{plan}: {world.Promotions} promotions; the leader should have kept the lock\n{world.Recent(60)}");
            Assert.Equal(0, world.SelfFences);
        }
    }

    /// <summary>Issue 14: the same outage with the leader's host killed during it: no double sign, and a leader again afterwards.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConsulDown_LeaderKilledDuringTheOutage_NoSecondSigner(bool fast)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var plan = new WorldPlan(seed, 3, true, [
                new PlannedFault(40_000, WorldFault.ServiceRestartEmpty, 0, 60_000),
                new PlannedFault(55_000 + (seed * 500), WorldFault.RestartLeader, 0, 30_000),
            ], fast, Failsafe: true);

            var world = Run(plan);

            Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}");
            Assert.True(world.Promotions >= 2, $"{plan}: nobody led after the outage\n{world.Recent(60)}");
        }
    }

    /// <summary>Issue 14: a leader cut off from Consul (peers still reach it) or from everything, with fast failover and the failsafe.</summary>
    [Theory]
    [InlineData(WorldFault.PartitionNode)]
    [InlineData(WorldFault.IsolateNode)]
    [InlineData(WorldFault.PartitionPeers)]
    public void LeaderCutOff_WithThePeerChannel_NoSecondSigner(WorldFault fault)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            foreach (var node in new[] { 0, 1, 2 })
            {
                var plan = new WorldPlan(seed, 3, seed % 2 == 0, [new PlannedFault(40_000, fault, node, 30_000)], FastFailover: true, Failsafe: true);

                var world = Run(plan);

                Assert.True(world.Violations.Count == 0, $"{plan}: {string.Join("; ", world.Violations.Take(3))}");
            }
        }
    }

    private static ClusterWorld Run(WorldPlan plan)
    {
        var world = new ClusterWorld(plan);
        world.Run(Duration);
        return world;
    }

    private static List<string> Violations(WorldPlan plan) => Run(plan).Violations;

    private static string Describe(WorldPlan plan) => $"{plan} -> {string.Join("; ", Violations(plan).Take(3))}";
}
