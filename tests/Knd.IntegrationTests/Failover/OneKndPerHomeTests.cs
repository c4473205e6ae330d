using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// A second <c>knd run</c> on a home another knd runs on (its own control socket and exporter, so
/// nothing else stops it) must not start: each would take the other's neard for a stray and kill it.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class OneKndPerHomeTests
{
    [Fact(Timeout = 180_000)]
    public async Task SecondKndOnTheSameHome_Exits78NamingTheFirstsPid_AndTheFirstsNeardIsUntouched()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var first = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var neardPid = (await first.StatusAsync())!["neard_pid"]!.GetValue<int>();
        using var other = new TempDirectory("knd-second-");

        await using var second = ChildProcess.Start(
            "second knd",
            ChildProcess.Binary("knd"),
            [.. first.Arguments, "--control-socket", other.Combine("knd.sock")],
            first.Environment);
        var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 78, $"exit code {code}\n{second.Tail()}");
        // The test cluster's short TTL adds a warning line; the error is one line of its own.
        var line = Assert.Single(second.StderrLines, l => !l.StartsWith("knd run: warning:", StringComparison.Ordinal));
        Assert.StartsWith($"knd run: --neard-home: {first.Home.Dir} is in use by another knd (pid {first.Process!.Pid},", line, StringComparison.Ordinal);
        Assert.True(first.NeardAlive(neardPid), $"the first knd's neard (pid {neardPid}) was killed\n{first.Diagnostics()}");
        Assert.DoesNotContain(Directory.GetFiles($"/proc/{neardPid}/fd"), fd => new FileInfo(fd).LinkTarget?.EndsWith("/knd.lock", StringComparison.Ordinal) == true);
        Assert.Equal(neardPid, (await first.StatusAsync())!["neard_pid"]!.GetValue<int>());
        Assert.True(await first.IsLeaderAsync());
        Assert.False(File.Exists(other.Combine("knd.sock")), "the second knd must stop before it binds anything");
        cluster.AssertNoDoubleSign();
    }
}
