using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Issue 15 item 11 with real processes: --on-role-change scripts see the role change in their
/// environment and never slow a demotion (they sleep 60 s); a --pre-promote script that exits 1 keeps
/// its node from ever signing while the others take over; the ledger shows no height signed twice.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class HookTests
{
    private const string VetoingNode = "node-0";

    [Fact]
    public async Task PrePromoteVetoOnOneNode_ItNeverSigns_RoleHooksSeeTheChanges_AndASleepingHookDoesNotSlowTheHandover()
    {
        using var dir = new TempDirectory("knd-hooks-");
        var roleScript = dir.Combine("on-role-change.sh");
        var preScript = dir.Combine("pre-promote.sh");
        await File.WriteAllTextAsync(roleScript, $"#!/bin/sh\n{{ env | grep '^KND_' | sort; echo --; }} >> '{dir.Path}'/roles-\"$KND_NODE_ID\"\nexec sleep 60\n");
        await File.WriteAllTextAsync(preScript, $"#!/bin/sh\necho \"$KND_NODE_ID\" >> '{dir.Path}'/pre-promote-runs\n[ \"$KND_NODE_ID\" != {VetoingNode} ]\n");
        var options = new ClusterOptions
        {
            Nodes = 3,
            ExtraArguments = ["--on-role-change", $"sh {roleScript}", "--pre-promote", $"sh {preScript}", "--hook-timeout", "90s"],
            Environment = new Dictionary<string, string?> { ["CONSUL_HTTP_TOKEN"] = "must-not-reach-the-hook" },
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var vetoing = cluster.Nodes.Single(n => n.NodeId == VetoingNode);

        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60), cluster.Nodes.Where(n => n != vetoing));
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var leaderRoles = dir.Combine($"roles-{leader.NodeId}");
        await Eventually.UntilAsync(() => File.Exists(leaderRoles) && File.ReadAllText(leaderRoles).Contains("KND_ROLE=leader", StringComparison.Ordinal), TimeSpan.FromSeconds(20), cluster.Describe);

        // The leader's role hook now sleeps 60 s: a graceful stop must still hand over at once.
        var stoppedAt = TimeProvider.System.GetUtcNow();
        leader.Signal(Libc.SigTerm);
        var others = cluster.Nodes.Where(n => n != leader).ToList();
        var next = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(20), others);
        var signed = await cluster.WaitForSignatureAsync(next, stoppedAt, TimeSpan.FromSeconds(20));

        Assert.NotSame(vetoing, next);
        Assert.True(signed.Time - stoppedAt < TimeSpan.FromSeconds(15), $"first signature {signed.Time - stoppedAt} after the stop; a 60 s hook must not delay the handover");

        // The vetoing node contended (its hook ran) but never signed.
        await Eventually.UntilAsync(() => File.Exists(dir.Combine("pre-promote-runs")) && File.ReadAllLines(dir.Combine("pre-promote-runs")).Contains(VetoingNode), TimeSpan.FromSeconds(30), cluster.Describe);
        var ledger = cluster.AssertNoDoubleSign();
        Assert.DoesNotContain(ledger.Entries, e => e.Home == vetoing.Home.Dir);
        Assert.False(await vetoing.IsLeaderAsync());

        var stoppedRoles = File.ReadAllText(leaderRoles);
        Assert.Contains("KND_ROLE=leader\n", stoppedRoles, StringComparison.Ordinal);
        Assert.Contains("KND_OLD_ROLE=passive\n", stoppedRoles, StringComparison.Ordinal);
        Assert.Contains("KND_REASON=promoted\n", stoppedRoles, StringComparison.Ordinal);
        Assert.Contains($"KND_NODE_ID={leader.NodeId}\n", stoppedRoles, StringComparison.Ordinal);
        Assert.Contains($"KND_ACCOUNT_ID={KndCluster.Account}\n", stoppedRoles, StringComparison.Ordinal);
        Assert.DoesNotContain("must-not-reach-the-hook", stoppedRoles, StringComparison.Ordinal);
        Assert.DoesNotContain("KND_CONSUL", stoppedRoles, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeaderStoppedGracefully_RoleHookRunsWithStoppedAfterNeardIsDown()
    {
        using var dir = new TempDirectory("knd-hooks-stop-");
        var roleScript = dir.Combine("on-role-change.sh");
        var roles = dir.Combine("roles");

        // Each run records its environment and whether the node's neard (its home named in a file) still ran when it started.
        // A fresh cluster can elect before the test has written the home file, so a run first waits for it (20 s at most).
        var homeFile = dir.Combine("home");
        await File.WriteAllTextAsync(roleScript, $"#!/bin/sh\nn=0\nwhile [ ! -s '{homeFile}' ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done\nhome=$(cat '{homeFile}')\n{{ env | grep '^KND_' | sort; pgrep -f -- \"--home $home \" >/dev/null && echo NEARD=running || echo NEARD=gone; echo --; }} >> '{roles}'\n");
        var options = new ClusterOptions { Nodes = 1, ExtraArguments = ["--on-role-change", $"sh {roleScript}"] };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = cluster.Nodes.Single();
        await File.WriteAllTextAsync(homeFile, leader.Home.Dir);
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60), cluster.Nodes);
        await Eventually.UntilAsync(() => File.Exists(roles) && File.ReadAllText(roles).Contains("KND_ROLE=leader", StringComparison.Ordinal), TimeSpan.FromSeconds(20), cluster.Describe);

        leader.Signal(Libc.SigTerm);
        var code = await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 0, leader.Diagnostics());
        var runs = File.ReadAllText(roles).Split("--\n", StringSplitOptions.RemoveEmptyEntries);
        var stopped = Assert.Single(runs, r => r.Contains("KND_ROLE=stopped\n", StringComparison.Ordinal));
        Assert.Contains("KND_OLD_ROLE=leader\n", stopped, StringComparison.Ordinal);
        Assert.Contains("KND_REASON=shutdown\n", stopped, StringComparison.Ordinal);
        Assert.Contains("NEARD=gone\n", stopped, StringComparison.Ordinal);

        // The same probe saw neard running when the node had become the leader.
        Assert.Contains(runs, r => r.Contains("KND_ROLE=leader\n", StringComparison.Ordinal) && r.Contains("NEARD=running\n", StringComparison.Ordinal));
    }
}
