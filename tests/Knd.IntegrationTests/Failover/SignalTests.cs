using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// What each signal does to a running knd (docs/migrating-from-kuutamod.md lists them). kuutamod's
/// unit reloads with <c>kill -SIGUSR1 $MAINPID</c>; a host that swapped the binary and kept the unit
/// must get a token re-read from it, not a dead knd (exit 138) and a dead neard.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class SignalTests
{
    private const string Token = "s3cr3t-acl-token-5d0e";

    [Fact(Timeout = 180_000)]
    public async Task WrongTokenFixedAndSigusr1_KndSurvives_RereadsTheTokenFileAndLeads()
    {
        var options = new ClusterOptions { Nodes = 1, AclToken = Token, ClientToken = "not-the-token" };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];
        await node.Process!.WaitForLineAsync(l => l.Contains("PermissionDenied", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a 403 report");

        await File.WriteAllTextAsync(node.TokenFile!, Token + "\n");
        Assert.True(node.Process.Signal(Libc.SigUsr1));

        await Eventually.UntilAsync(async () => await node.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        Assert.False(node.Process.HasExited, node.Diagnostics());
        Assert.Contains(node.Process.Lines, l => l.Contains("SIGUSR1: Consul token file re-read", StringComparison.Ordinal));
    }

    [Fact(Timeout = 180_000)]
    public async Task Sigusr1OnTheLeader_KeepsItsNeardAndTheLock()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        Assert.True(leader.Process!.Signal(Libc.SigUsr1));
        await leader.Process.WaitForLineAsync(l => l.Contains("SIGUSR1: no --consul-token-file is set", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the reload");

        Assert.False(leader.Process.HasExited, leader.Diagnostics());
        Assert.True(await leader.IsLeaderAsync());
        Assert.Equal(neardPid, (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>());
        var started = TimeProvider.System.GetUtcNow();
        await cluster.WaitForSignatureAsync(leader, started, TimeSpan.FromSeconds(20));
        cluster.AssertNoDoubleSign();
    }

    [Fact(Timeout = 180_000)]
    public async Task SigquitOnTheLeader_StopsLikeSigterm_NeardStoppedAndTheLockReleased()
    {
        Assert.Null(InheritedSignals.Problem(Libc.SigQuit, "SIGQUIT"));
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var passive = cluster.Nodes.Single(n => n != leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        Assert.True(leader.Process!.Signal(Libc.SigQuit));

        Assert.Equal(0, await leader.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(leader.NeardAlive(neardPid), "SIGQUIT left the leader's neard running");
        Assert.Contains(leader.Process.Lines, l => l.Contains("Lock kuutamod-leader/validator.test released", StringComparison.Ordinal));
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(20), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact(Timeout = 180_000)]
    public async Task Sigusr2_KeepsItsDefaultAction_KndDies_AndItsNeardDiesWithIt()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        Assert.True(leader.Process!.Signal(Libc.SigUsr2));

        Assert.Equal(128 + Libc.SigUsr2, await leader.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), TimeSpan.FromSeconds(10), () => $"neard {neardPid} outlived knd");
    }
}
