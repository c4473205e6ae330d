using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>The leader fails without warning; a passive must take over, and no height may be signed twice.</summary>
[Collection(FailoverCollection.Name)]
public sealed class UnplannedFailoverTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>docs/failover-algorithm.md: 2 x TTL + lock-delay + acquire retry + promotion, plus slack for a loaded CI machine.</summary>
    private static TimeSpan FailoverBound(ClusterOptions options) =>
        (options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromMilliseconds(250) + TimeSpan.FromSeconds(5);

    [Fact]
    public async Task LeaderHostDies_PassiveLeadsWithinBound()
    {
        var options = new ClusterOptions { Nodes = 3 };
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
    public async Task LeaderNeardCrashes_PassiveTakesOverAndOldLeaderRejoinsAsPassive()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        var crashedAt = TimeProvider.System.GetUtcNow();
        Libc.Kill(neardPid, Libc.SigKill);

        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        await cluster.WaitForSignatureAsync(passive, crashedAt, TimeSpan.FromSeconds(10));
        Assert.Same(passive, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30)));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task RestartPromotion_NeardRestartsWithTheValidatorLayout_AndFailsOver()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2, Promotion = "restart" });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var passive = cluster.Nodes.Single(n => n != leader);

        // The leader's home: the validator key, the shared validator node key, the validator address.
        var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(leader.Home.ConfigPath))!;
        var validatorNodeKey = await File.ReadAllTextAsync(Path.Combine(leader.CredentialsDir, "validator_node_key.json"));
        Assert.True(File.Exists(leader.Home.ValidatorKeyPath));
        Assert.Equal(validatorNodeKey, await File.ReadAllTextAsync(Path.Combine(leader.Home.Dir, "node_key.json")));
        Assert.Equal(leader.ValidatorNetworkAddr, config["network"]!["addr"]!.GetValue<string>());
        Assert.False(File.Exists(passive.Home.ValidatorKeyPath));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(passive.Home.Dir, "voter_node_key.json")), await File.ReadAllTextAsync(Path.Combine(passive.Home.Dir, "node_key.json")));

        var crashedAt = TimeProvider.System.GetUtcNow();
        Libc.Kill((await leader.StatusAsync())!["neard_pid"]!.GetValue<int>(), Libc.SigKill);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        await cluster.WaitForSignatureAsync(passive, crashedAt, TimeSpan.FromSeconds(20));
        await Eventually.UntilAsync(() => !File.Exists(leader.Home.ValidatorKeyPath), TimeSpan.FromSeconds(10), () => "the old leader's key to be removed");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task KndAloneIsKilled_ItsNeardDiesTooThenFailover()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        leader.Signal(Libc.SigKill);

        // The parent-death signal, not knd, kills neard: knd had no chance to do anything.
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), TimeSpan.FromSeconds(5), () => $"neard {neardPid} to die with its knd");
        var passive = cluster.Nodes.Single(n => n != leader);
        await cluster.WaitForSingleLeaderAsync(FailoverBound(options) + TimeSpan.FromSeconds(10), [passive]);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task LeaderKndKilledAndRestarted_FreesItsOldLockWithoutWaitingForExpiry()
    {
        // TTL 30 s: Consul alone would free the old lock 30 to 60 s after the kill; a restart that
        // destroys the old session leads well before that even on a loaded host (CI saw 11 s).
        var options = new ClusterOptions { Nodes = 1, SessionTtl = TimeSpan.FromSeconds(30), LockDelay = TimeSpan.FromSeconds(1), LockKeyFromEarlierLeader = true };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];
        await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var oldSession = (await node.StatusAsync())!["session_id"]!.GetValue<string>();

        node.Signal(Libc.SigKill);
        await node.Process!.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var restartedAt = TimeProvider.System.GetTimestamp();
        await node.StartAsync();

        await Eventually.UntilAsync(async () => await node.IsLeaderAsync(), TimeSpan.FromSeconds(40), cluster.Describe);
        var took = TimeProvider.System.GetElapsedTime(restartedAt);
        Assert.True(took < options.SessionTtl, $"the restarted knd led again after {took}; Consul alone frees the old session only after up to 2 x TTL");
        await node.Process!.WaitForLineAsync(l => l.Contains($"Destroyed session {oldSession}", StringComparison.Ordinal), TimeSpan.FromSeconds(10), $"Destroyed session {oldSession}");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task LeaderCutOffFromConsul_StopsSigningBeforeTtl_PassiveTakesOverAfterExpiry()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        var cutAt = TimeProvider.System.GetTimestamp();
        await cluster.Consul.BlackholeAsync(leader.NodeId, true);

        // Its neard keeps running on its own; knd must stop it before the session can expire.
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), options.SessionTtl + TimeSpan.FromSeconds(2), () => "the cut-off leader to stop its neard");
        var stoppedAfter = TimeProvider.System.GetElapsedTime(cutAt);
        Assert.True(stoppedAfter < options.SessionTtl, $"the validating neard was stopped {stoppedAfter} after the cut; the TTL is {options.SessionTtl}");

        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), FailoverBound(options) + TimeSpan.FromSeconds(10), cluster.Describe);
        await cluster.WaitForSignatureAsync(passive, TimeProvider.System.GetUtcNow().AddSeconds(-1), TimeSpan.FromSeconds(10));

        await cluster.Consul.BlackholeAsync(leader.NodeId, false);
        var final = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        Assert.Same(passive, final);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task ConsulHasNoLeaderLongerThanTheFence_LeaderStopsValidating_OneLeaderAfterRecovery()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        await cluster.Consul.NoLeaderAsync(true);
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), options.SessionTtl + TimeSpan.FromSeconds(2), () => "the leader to stop validating without Consul");
        await Eventually.UntilAsync(async () => !await leader.IsLeaderAsync(), TimeSpan.FromSeconds(5), cluster.Describe);
        foreach (var node in cluster.Nodes)
        {
            Assert.False(await node.IsLeaderAsync(), $"{node.NodeId} leads while Consul has no leader");
        }

        await cluster.Consul.NoLeaderAsync(false);
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task SyncingPassive_NeverTakesTheLock()
    {
        var options = new ClusterOptions
        {
            Nodes = 2,
            Home = (index, home) => index == 1 ? home with { SyncMs = 600_000 } : home,
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout, [cluster.Nodes[0]]);
        var syncing = cluster.Nodes[1];
        await Eventually.UntilAsync(async () => await syncing.StateAsync() == "Syncing", TimeSpan.FromSeconds(30), cluster.Describe);

        var deadSession = (await leader.StatusAsync())!["session_id"]!.GetValue<string>();
        await leader.KillHostAsync();

        // Watch for longer than a failover would take: the syncing node must stay out.
        var watchUntil = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(watchUntil) < FailoverBound(options))
        {
            var status = await syncing.StatusAsync();
            Assert.NotNull(status);
            Assert.NotEqual("Validating", status!["state"]!.GetValue<string>());
            var holder = await cluster.Consul.LockHolderAsync(KndCluster.LockKey);
            Assert.True(holder is null || holder == deadSession, $"the lock is held by {holder}, not the dead leader's {deadSession}");
            await Task.Delay(Eventually.PollInterval, TimeProvider.System);
        }

        cluster.AssertNoDoubleSign();
    }
}
