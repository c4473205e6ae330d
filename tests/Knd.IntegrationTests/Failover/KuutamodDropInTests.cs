using Knd.IntegrationTests.Control;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Issue 15's drop-in: a host that swapped kuutamod's binary for knd and kept everything else (its
/// unit's <c>KUUTAMO_*</c> environment and token file, its reload by SIGUSR1, kuutamoctl on
/// kuutamod.sock, the same <c>kuutamod-leader/&lt;account&gt;</c> lock key) joins a cluster of knd
/// hosts configured by flags, and either can take over from the other.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class KuutamodDropInTests
{
    private const string Token = "dr0p-in-acl-token-77c1";

    [Fact(Timeout = 240_000)]
    public async Task KuutamodConfiguredHost_JoinsAKndCluster_SurvivesItsUnitsReload_ServesKuutamoctl_AndFailsOver()
    {
        var options = new ClusterOptions { Nodes = 2, AclToken = Token, KuutamodStyleNodes = new HashSet<int> { 1 } };
        await using var cluster = await KndCluster.StartAsync(options);
        var dropIn = cluster.Nodes[1];
        Assert.DoesNotContain("--node-id", dropIn.Arguments);
        Assert.DoesNotContain("--consul-token-file", dropIn.Arguments);
        Assert.Equal("node-1", dropIn.Environment["KUUTAMO_NODE_ID"]);

        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var other = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await other.StateAsync() == "Voting", TimeSpan.FromSeconds(30), cluster.Describe);

        // kuutamoctl, unchanged, against the drop-in host's kuutamod.sock: it reads the lock key the flag-configured host holds, or holds it itself.
        var active = await Kuutamoctl.SendAsync(Path.Combine(dropIn.Home.Dir, "kuutamod.sock"), "GET", "/active_validator");
        Assert.True(active.Status == 200, active.Body);
        Assert.Equal(leader.NodeId, active.Validator()!.Value.Name);

        // The kept unit's ExecReload: kill -SIGUSR1 $MAINPID re-reads the token file, and nothing stops.
        var leaderNeard = leader.LastNeardPid;
        Assert.True(dropIn.Process!.Signal(Libc.SigUsr1));
        await dropIn.Process.WaitForLineAsync(l => l.Contains("SIGUSR1: Consul token file re-read", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the drop-in host's reload");
        Assert.False(dropIn.Process.HasExited, dropIn.Diagnostics());
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(leaderNeard, leader.LastNeardPid);

        // Either way round, the other host takes over under the same lock key.
        var started = TimeProvider.System.GetUtcNow();
        await leader.KillHostAsync();
        Assert.Same(other, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60), [other]));
        await cluster.WaitForSignatureAsync(other, started, TimeSpan.FromSeconds(20));
        var now = await Kuutamoctl.SendAsync(Path.Combine(other.Home.Dir, "kuutamod.sock"), "GET", "/active_validator");
        Assert.Equal(other.NodeId, now.Validator()!.Value.Name);
        cluster.AssertNoDoubleSign();
    }
}
