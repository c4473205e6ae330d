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
}
