using System.Diagnostics;
using System.Runtime.Versioning;
using Knd.Neard;

namespace Knd.IntegrationTests.Neard;

[SupportedOSPlatform("linux")]
public sealed class StrayNeardTests : IDisposable
{
    /// <summary>A neard an earlier knd left behind: stays a shell (so its command line stays), ignores SIGTERM.</summary>
    private const string Stray = """
        #!/bin/sh
        trap '' TERM
        while :; do sleep 0.05; done
        """;

    private readonly LauncherFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_KillsAStrayNeardOnTheSameHome_AndSparesOtherHomes()
    {
        var strayBin = Path.Combine(Directory.CreateDirectory(Path.Combine(_fixture.Root, "old")).FullName, "neard");
        File.WriteAllText(strayBin, Stray.ReplaceLineEndings("\n") + "\n");
        var otherHome = Directory.CreateDirectory(Path.Combine(_fixture.Root, "other-home")).FullName;
        var stray = _fixture.StartDirect("/bin/sh", strayBin, "--home", _fixture.Home, "run");
        var bystander = _fixture.StartDirect("/bin/sh", strayBin, "--home", otherHome, "run");
        await LauncherFixture.Until(
            () => NeardProcessLauncherTests.ReadCommandLine(stray.Id).Contains("--home", StringComparison.Ordinal)
                && NeardProcessLauncherTests.ReadCommandLine(bystander.Id).Contains("--home", StringComparison.Ordinal),
            "the strays to run");

        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));

        Assert.True(IsGoneOrZombie(stray.Id), "the stray must be gone before the new neard starts");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stray.WaitForExitAsync(timeout.Token);
        Assert.Equal(137, stray.ExitCode);
        Assert.False(bystander.HasExited);
        Assert.False(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_KillsAnOrphanCarryingThisHomesMarker_WhateverItsCommandLine()
    {
        // A non-exec wrapper's neard from an earlier run: its command line does not name the wrapper.
        var orphan = _fixture.StartDirect(Marked("sleep", _fixture.Home));
        var otherHome = Directory.CreateDirectory(Path.Combine(_fixture.Root, "other-home")).FullName;
        var bystander = _fixture.StartDirect(Marked("sleep", otherHome));
        await LauncherFixture.Until(() => File.Exists($"/proc/{orphan.Id}/environ") && File.Exists($"/proc/{bystander.Id}/environ"), "the orphans to run");

        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));

        Assert.True(IsGoneOrZombie(orphan.Id), "the orphan on this home must be gone before the new neard starts");
        Assert.False(bystander.HasExited);
        Assert.False(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_AlsoStopsAChildThatLeftTheGroup_BeforeTheStopCounts()
    {
        // The wrapper's child leaves neard's process group (its own setsid): a signal to the group
        // misses it, and before, the stop was confirmed (and the lock released) with it running.
        var child = await StartEscapingAsync("exec sleep 1000");
        var first = _fixture.Launcher.Running.Single();

        var result = await first.StopAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.NotEqual(NeardStopResult.NotConfirmed, result);
        Assert.True(IsGoneOrZombie(child), $"the escaped child (pid {child}) outlived a confirmed stop ({result})");
    }

    [Fact(Timeout = 60_000)]
    public async Task NeardExitsOnItsOwn_ItsExitCountsOnlyOnceTheChildThatLeftTheGroupIsGone()
    {
        var child = await StartEscapingAsync("exit 3");
        var first = _fixture.Launcher.Running.SingleOrDefault();

        if (first is not null)
        {
            await first.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        }

        await LauncherFixture.Until(() => _fixture.Launcher.Running.Count == 0, "neard's exit to count");
        Assert.True(IsGoneOrZombie(child), $"the escaped child (pid {child}) outlived neard's exit");
    }

    /// <summary>Starts a neard script that puts a child in a session of its own, then runs <paramref name="then"/>; returns the child's pid.</summary>
    private async Task<int> StartEscapingAsync(string then)
    {
        var script = $"""
            #!/bin/sh
            setsid sleep 1000 &
            echo $! > "$KND_TEST_OUT/child"
            {then}
            """;
        await _fixture.StartAsync(_fixture.Spec(_fixture.Script(script)));
        var childFile = Path.Combine(_fixture.Out, "child");
        await _fixture.WaitForFileAsync(childFile);
        var child = int.Parse(File.ReadAllText(childFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await LauncherFixture.Until(() => IsGoneOrZombie(child) || NeardProcessLauncherTests.ReadCommandLine(child).StartsWith("sleep", StringComparison.Ordinal), "the escaped child to run");
        return child;
    }

    private static ProcessStartInfo Marked(string fileName, string home, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (var argument in arguments.Length > 0 ? arguments : ["1000"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[SetprivExec.HomeMarkerVariable] = home;
        return info;
    }

    private static bool IsGoneOrZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
