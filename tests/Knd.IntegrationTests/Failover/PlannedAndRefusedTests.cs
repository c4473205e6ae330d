using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>Graceful stops, a neard that ignores SIGTERM, and a Consul that refuses the token.</summary>
[Collection(FailoverSecondCollection.Name)]
public sealed class PlannedAndRefusedTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LeaderGetsSigterm_PassiveSignsWithinThreeSeconds_NoSessionLeaks()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        var stoppedAt = TimeProvider.System.GetUtcNow();
        leader.Signal(Libc.SigTerm);

        var signed = await cluster.WaitForSignatureAsync(passive, stoppedAt, TimeSpan.FromSeconds(10));
        Assert.True(signed.Time - stoppedAt < TimeSpan.FromSeconds(3), $"the passive signed {signed.Time - stoppedAt} after SIGTERM");
        Assert.Equal(0, await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await Eventually.UntilAsync(async () => await cluster.Consul.SessionCountAsync() == 1, TimeSpan.FromSeconds(10), () => "only the new leader's session to remain");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task NeardIgnoresSigterm_IsKilledWithinTheStopBound_BeforeTheLockIsReleased()
    {
        var options = new ClusterOptions
        {
            Nodes = 2,
            Home = (_, home) => home with { IgnoreSigtermMs = 600_000 },
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        var stopAt = TimeProvider.System.GetTimestamp();
        leader.Signal(Libc.SigTerm);
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), TimeSpan.FromSeconds(10), () => "the stubborn neard to die");
        var took = TimeProvider.System.GetElapsedTime(stopAt);

        // TTL 3 s: SIGTERM grace TTL/5 = 600 ms, kill confirmation TTL/10 = 300 ms; slack for a loaded machine.
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"neard died {took} after the stop began");
        Assert.Equal(0, await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(10), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task NeardSlowToStopAtDefaultTtl_KndStillFinishesItsStop_ReleasesAndExitsZero()
    {
        // TTL 10 s: a 2 s SIGTERM grace, longer than the 2 s System.CommandLine allows after SIGTERM by default.
        var options = new ClusterOptions
        {
            Nodes = 2,
            SessionTtl = TimeSpan.FromSeconds(10),
            LockDelay = TimeSpan.FromSeconds(5),
            LockKeyFromEarlierLeader = true,
            Home = (_, home) => home with { IgnoreSigtermMs = 600_000 },
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        var stopAt = TimeProvider.System.GetTimestamp();
        leader.Signal(Libc.SigTerm);

        Assert.Equal(0, await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(leader.Process.Lines, l => l.Contains("released", StringComparison.Ordinal));
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(20), cluster.Describe);
        var took = TimeProvider.System.GetElapsedTime(stopAt);
        Assert.True(took < options.SessionTtl, $"the passive led {took} after SIGTERM: the lock was left to expire");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task WrongConsulToken_IsReportedClearly_AndNeverValidates()
    {
        var options = new ClusterOptions { Nodes = 1, AclToken = "the-right-token", ClientToken = "a-wrong-token-7f3a" };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];

        var line = await node.Process!.WaitForLineAsync(l => l.Contains("PermissionDenied", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a permission-denied report");
        Assert.Contains("Consul refused the ACL token (403)", line, StringComparison.Ordinal);
        await Eventually.UntilAsync(
            async () => (await node.StatusAsync())?["last_error"]?.GetValue<string>()?.Contains("refused the ACL token (403)", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(10),
            cluster.Describe);

        // Several create attempts later it still has not validated, and the token never leaked.
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(3))
        {
            Assert.False(await node.IsLeaderAsync());
            await Task.Delay(Eventually.PollInterval, TimeProvider.System);
        }

        Assert.Equal(0, LedgerReader.Read(cluster.LedgerPath).Count);
        Assert.DoesNotContain(node.Process.Lines, l => l.Contains("a-wrong-token-7f3a", StringComparison.Ordinal));
    }
}
