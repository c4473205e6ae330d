using System.Text.Json.Nodes;
using Knd.IntegrationTests.Failover;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Etcd;

/// <summary>
/// Real <c>knd run</c> daemons with <c>--dcs etcd</c> on a real three-member etcd cluster, neard-sim
/// signing into one ledger: the failover scenarios, each ending with no height signed twice.
/// </summary>
[Collection(FailoverThirdCollection.Name)]
public sealed class EtcdFailoverTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>etcd's default --election-timeout, which EtcdCluster does not change.</summary>
    private static readonly TimeSpan EtcdElectionTimeout = TimeSpan.FromSeconds(1);

    private static ClusterOptions Options(int nodes = 2, bool proxies = false) =>
        new() { Nodes = nodes, EtcdMembers = 3, EtcdProxies = proxies };

    /// <summary>docs/failover-algorithm.md, "On etcd": TTL (lease expiry) + TTL (the fence's slack) + lock-delay + promotion, plus slack for a loaded machine.</summary>
    private static TimeSpan FailoverBound(ClusterOptions options) =>
        (options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Election_OnEtcd_OneLeaderSigns_TheOtherVotes()
    {
        await using var cluster = await KndCluster.StartAsync(Options());
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);

        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var holder = await cluster.Etcd!.ValueAsync(KndCluster.LockKey);
        Assert.Contains($"\"NodeId\":\"{leader.NodeId}\"", holder, StringComparison.Ordinal);
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => (await cluster.MemberAsync(passive.NodeId))?.Contains("\"state\":\"Voting\"", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(20), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task LeaderHostKilled_OnEtcd_PassiveLeadsWithinBound()
    {
        var options = Options(nodes: 3);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);

        var killedAt = TimeProvider.System.GetUtcNow();
        await leader.KillHostAsync();
        var survivors = cluster.Nodes.Where(n => n != leader).ToList();
        var next = await cluster.WaitForSingleLeaderAsync(FailoverBound(options) + TimeSpan.FromSeconds(10), survivors);
        var signed = await cluster.WaitForSignatureAsync(next, killedAt, TimeSpan.FromSeconds(10));

        Assert.True(signed.Time - killedAt < FailoverBound(options), $"first signature {signed.Time - killedAt} after the kill; bound {FailoverBound(options)}");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task LeaderCutOffFromEtcd_StopsSigningBeforeItsLeaseEnds_PassiveTakesOver()
    {
        var options = Options(proxies: true);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));

        var cutAt = TimeProvider.System.GetUtcNow();
        cluster.CutOffFromEtcd(leader, cut: true);

        // The fence: the leader stops its validator before the lease it can no longer renew runs out.
        await Eventually.UntilAsync(async () => await leader.StateAsync() is { } state && state != "Validating", options.SessionTtl + TimeSpan.FromSeconds(2), cluster.Describe);
        var next = await cluster.WaitForSingleLeaderAsync(FailoverBound(options) + TimeSpan.FromSeconds(10), [passive]);
        await cluster.WaitForSignatureAsync(next, cutAt, TimeSpan.FromSeconds(10));
        var ledger = cluster.AssertNoDoubleSign();
        var lastOld = ledger.Entries.Where(e => e.Home == leader.Home.Dir).Max(e => e.Time);
        Assert.True(lastOld - cutAt < options.SessionTtl, $"the cut-off leader signed {lastOld - cutAt} after the cut; its lease TTL is {options.SessionTtl}");

        cluster.CutOffFromEtcd(leader, cut: false);
        await Eventually.UntilAsync(async () => await leader.StateAsync() == "Voting", TimeSpan.FromSeconds(30), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task QuorumLost_LongerThanTheFenceBound_NobodySigns_ThenRestored_OneLeaderAgain()
    {
        var options = Options();
        await using var cluster = await KndCluster.StartAsync(options);
        var etcd = cluster.Etcd!;
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));

        var lostAt = TimeProvider.System.GetUtcNow();
        await etcd.StopAsync(etcd.Members[1]);
        await etcd.StopAsync(etcd.Members[2]);

        // Without a quorum no lease can be renewed: the leader fences itself within the TTL, and no
        // one may take over while etcd cannot serve (3 x TTL: well past the fence bound).
        await Eventually.UntilAsync(async () => await leader.StateAsync() is { } state && state != "Validating", options.SessionTtl + TimeSpan.FromSeconds(2), cluster.Describe);
        var hold = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(hold) < options.SessionTtl * 3)
        {
            foreach (var node in cluster.Nodes)
            {
                Assert.NotEqual("Validating", await node.StateAsync());
            }

            await Task.Delay(Eventually.PollInterval, TimeProvider.System);
        }

        var ledger = cluster.AssertNoDoubleSign();
        // docs/failover-algorithm.md, "On etcd": the etcd leader that lost its quorum may still answer
        // a keep-alive until it steps down, within an election timeout (etcd's default 1 s, which the
        // test cluster keeps); the knd leader then stops within the fence bound of that renewal.
        var lastSigned = ledger.Entries.Where(e => e.Time >= lostAt).Select(e => e.Time).DefaultIfEmpty(lostAt).Max() - lostAt;
        Assert.True(lastSigned < options.SessionTtl + EtcdElectionTimeout, $"signed {lastSigned.TotalSeconds:0.00} s after the quorum was lost, past the TTL plus an election timeout");

        etcd.Start(etcd.Members[1]);
        etcd.Start(etcd.Members[2]);
        await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        var restoredAt = TimeProvider.System.GetUtcNow();
        var next = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitForSignatureAsync(next, restoredAt, TimeSpan.FromSeconds(20));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task EtcdLeaderKilled_WhileKndLeads_OneLeaderSignsAfterwards_NoDoubleSign()
    {
        // Whether the knd leader rides through the etcd election depends on how long keep-alives stall:
        // on a loaded 2-core machine a SIGKILLed etcd leader stalled them past FenceAfter even at TTL
        // 10 s, and the knd leader self-fenced (a failover). Either way: never two signers, and the
        // cluster signs again once etcd has a new leader.
        var options = Options();
        await using var cluster = await KndCluster.StartAsync(options);
        var etcd = cluster.Etcd!;
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));

        var etcdLeader = await Eventually.UntilAsync(etcd.LeaderAsync, TimeSpan.FromSeconds(20), () => etcd.Tail());
        var killedAt = TimeProvider.System.GetUtcNow();
        await etcd.StopAsync(etcdLeader);

        // Two members keep a quorum: past any fence and failover, someone signs again.
        var settled = killedAt + FailoverBound(options);
        await Eventually.UntilAsync(() => LedgerReader.Read(cluster.LedgerPath).Entries.Any(e => e.Time > settled), FailoverBound(options) + TimeSpan.FromSeconds(30), cluster.Describe);
        cluster.AssertNoDoubleSign();

        etcd.Start(etcdLeader);
        await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task EtcdMemberRestarts_UnderARenewingLeader_TheLeaderKeepsSigning()
    {
        var options = Options();
        await using var cluster = await KndCluster.StartAsync(options);
        var etcd = cluster.Etcd!;
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var etcdLeader = await Eventually.UntilAsync(etcd.LeaderAsync, TimeSpan.FromSeconds(20), () => etcd.Tail());
        var follower = etcd.Members.First(m => m != etcdLeader);

        // A follower's restart takes no quorum away: the knd leader's keep-alives go on through the
        // other members, so it neither fences nor loses the lock.
        await etcd.StopAsync(follower, kill: false);
        var stoppedAt = TimeProvider.System.GetUtcNow();
        await cluster.WaitForSignatureAsync(leader, stoppedAt.Add(options.SessionTtl), options.SessionTtl + TimeSpan.FromSeconds(10));
        etcd.Start(follower);
        await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(60));

        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("Validating", await leader.StateAsync());
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task GracefulStop_OnEtcd_ReleasesTheLock_PassiveLeadsWithoutWaitingForTheLease()
    {
        var options = Options() with { SessionTtl = TimeSpan.FromSeconds(10), LockDelay = TimeSpan.FromSeconds(5) };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));

        var stoppedAt = TimeProvider.System.GetUtcNow();
        leader.Signal(Libc.SigTerm);
        var code = await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"knd exited with {code}\n{leader.Diagnostics()}");
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        var signed = await cluster.WaitForSignatureAsync(passive, stoppedAt, TimeSpan.FromSeconds(20));

        // A release carries no lock-delay and needs no lease expiry: well under TTL + lock-delay.
        Assert.True(signed.Time - stoppedAt < options.SessionTtl, $"the passive first signed {signed.Time - stoppedAt} after the stop");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Paused_OnEtcd_LeaderDies_NobodyTakesOver_UntilResumed()
    {
        var options = Options();
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        var pause = await passive.CliAsync("pause");
        Assert.True(pause.ExitCode == 0, pause.Output);
        await Eventually.UntilAsync(async () => (await passive.StatusAsync())?["paused"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(10), cluster.Describe);
        await leader.KillHostAsync();

        var until = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(until) < (options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromSeconds(3))
        {
            Assert.False(await passive.IsLeaderAsync(), "a paused cluster failed over");
            await Task.Delay(Eventually.PollInterval, TimeProvider.System);
        }

        Assert.Equal(0, (await passive.CliAsync("resume")).ExitCode);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(20), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Switchover_OnEtcd_ToANamedPassive_HandsOver()
    {
        var options = Options(nodes: 3) with { Home = (_, home) => home with { DutyPercent = 5 } };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var target = cluster.Nodes.First(n => n != leader);
        // A ready passive, as `knd switchover` requires: Voting and not held off (the new cluster's
        // missing-key hold-off ends once it sees the leader's lock).
        await Eventually.UntilAsync(
            async () => await cluster.MemberAsync(target.NodeId) is { } member
                && JsonNode.Parse(member) is { } record
                && record["state"]?.GetValue<string>() == "Voting"
                && record["held_off"]?.GetValue<bool>() != true,
            TimeSpan.FromSeconds(45),
            () => $"{target.NodeId}'s member record {cluster.MemberAsync(target.NodeId).GetAwaiter().GetResult()}\n{cluster.Describe()}");

        var active = await leader.CliAsync("active-validator", "--json");
        Assert.True(active.ExitCode == 0, active.Output);
        Assert.Contains(leader.NodeId, active.Stdout, StringComparison.Ordinal);

        var started = TimeProvider.System.GetUtcNow();
        var wait = await leader.CliAsync("switchover", "--to", target.NodeId, "--wait", "--json");
        Assert.True(wait.ExitCode == 0, wait.Output);
        Assert.Contains("done", wait.Stdout, StringComparison.Ordinal);
        await Eventually.UntilAsync(async () => await target.IsLeaderAsync(), TimeSpan.FromSeconds(60), cluster.Describe);
        await cluster.WaitForSignatureAsync(target, started, TimeSpan.FromSeconds(10));
        Assert.Same(target, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60)));
        cluster.AssertNoDoubleSign();
    }
}
