using System.Diagnostics;
using Knd.IntegrationTests.Deploy;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Without a service manager's watchdog a frozen knd's neard keeps running (it signed 21 heights
/// next to the new leader in the trial): knd says so at start and in a metric, and the
/// shipped guard script stands in for the watchdog.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class WatchdogAbsenceTests
{
    private const string Warning = "No service-manager watchdog (NOTIFY_SOCKET is not set)";

    [Fact(Timeout = 180_000)]
    public async Task WithoutAWatchdog_WarnsOnceAtStart_AndExportsWatchdogEnabledZero()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var node = cluster.Nodes[0];
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));

        Assert.Single(node.Process!.Lines, l => l.Contains(Warning, StringComparison.Ordinal));
        Assert.Contains("\nknd_watchdog_enabled 0\n", await MetricsAsync(node), StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task GuardScript_LeavesATickingKndAlone_AndKillsAFrozenOne_ItsNeardWithIt()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var node = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var neardPid = (await node.StatusAsync())!["neard_pid"]!.GetValue<int>();
        await using var guard = ChildProcess.Start("knd-guard", "/bin/sh", [RepoPaths.Combine("deploy", "knd-guard.sh"), node.Process!.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Exporter!.ToString()]);

        // A healthy, validating knd is left alone (the guard's bound there is 1 s; this is several).
        var quiet = await Task.WhenAny(guard.Exited, Task.Delay(TimeSpan.FromSeconds(4), TimeProvider.System));
        Assert.True(quiet != guard.Exited, $"the guard acted on a ticking knd\n{guard.Tail()}");

        var frozenAt = Stopwatch.StartNew();
        node.Signal(Libc.SigStop);
        Assert.Equal(1, await guard.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await Eventually.HoldsAsync(() => !node.NeardAlive(neardPid), "the frozen knd's neard to die", node.Diagnostics, TimeSpan.FromSeconds(10));
        frozenAt.Stop();

        // 1 s bound + a 0.5 s poll + a 0.5 s scrape timeout, and slack for a loaded machine.
        Assert.True(frozenAt.Elapsed < TimeSpan.FromSeconds(6), $"neard died {frozenAt.Elapsed} after knd froze");
        Assert.Contains(guard.Lines, l => l.Contains("has not ticked for over 1s; killing it", StringComparison.Ordinal));
        Assert.Equal(128 + Libc.SigKill, await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<string> MetricsAsync(KndNode node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri(node.Exporter!, "metrics"));
    }
}
