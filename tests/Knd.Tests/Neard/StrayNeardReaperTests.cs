using System.Text;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Neard;

public sealed class StrayNeardReaperTests : IDisposable
{
    private readonly TempDirectory _proc = new();

    public void Dispose() => _proc.Dispose();

    [Theory]
    [InlineData("/usr/bin/neard|--home|/var/lib/neard|run")]
    [InlineData("/usr/bin/neard|--home|/var/lib/neard/|run|--boot-nodes|ed25519:X@1.2.3.4:24567")]
    [InlineData("neard|--home=/var/lib/neard|run")]
    [InlineData("/nix/store/abc-neard/bin/neard|--home|/var/lib/../lib/neard|run")]
    [InlineData("/bin/sh|/opt/neard|--home|/var/lib/neard|run")]
    [InlineData("neard|--home|lib/neard|run")]
    public void Matches_NeardRunOnTheSameHome(string commandLine)
    {
        Assert.True(StrayNeardReaper.Matches(commandLine.Split('|'), "neard", "/var/lib/neard", () => "/var"));
    }

    [Theory]
    [InlineData("/usr/bin/neard|--home|/var/lib/other|run")]
    [InlineData("/usr/bin/neard|--home|/var/lib/neard|init")]
    [InlineData("/usr/bin/neard|--home|/var/lib/neard")]
    [InlineData("/usr/bin/neard-sim|--home|/var/lib/neard|run")]
    [InlineData("/usr/bin/vim|/var/lib/neard/config.json")]
    [InlineData("/usr/bin/neard|run|--home|/var/lib/neard")]
    [InlineData("/bin/sh|-c|neard --home /var/lib/neard run")]
    [InlineData("neard|--home|lib/neard|run")]
    public void DoesNotMatch_OtherCommandsOrHomes(string commandLine)
    {
        Assert.False(StrayNeardReaper.Matches(commandLine.Split('|'), "neard", "/var/lib/neard", () => "/home/op"));
    }

    [Fact]
    public void Find_ReadsProcCmdlines_SkipsExcludedAndUnreadable()
    {
        AddProcess(101, "/usr/bin/neard", "--home", "/var/lib/neard", "run");
        AddProcess(102, "/usr/bin/neard", "--home", "/var/lib/other", "run");
        AddProcess(103, "/usr/bin/neard", "--home", "/var/lib/neard", "run", "--boot-nodes", "x");
        AddProcess(104);
        Directory.CreateDirectory(_proc.File("105"));
        Directory.CreateDirectory(_proc.File("self"));
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);

        var found = reaper.Find("/opt/neard", "/var/lib/neard", new HashSet<int> { 103 });

        var stray = Assert.Single(found);
        Assert.Equal(101, stray.Pid);
        Assert.Equal(["/usr/bin/neard", "--home", "/var/lib/neard", "run"], stray.CommandLine);
    }

    [Fact]
    public void Find_AProcessCarryingThisHomesMarker_IsAStray_WhateverItsCommandLine()
    {
        // A wrapper's neard (the wrapper's name is nowhere in it) and a child of neard, from an earlier run.
        AddProcess(201, "/opt/real/neard-bin", "--home", "/var/lib/neard", "run");
        AddEnvironment(201, "PATH=/usr/bin", $"{SetprivExec.HomeMarkerVariable}=/var/lib/neard/");
        AddProcess(202, "sleep", "1000");
        AddEnvironment(202, $"{SetprivExec.HomeMarkerVariable}=/var/lib/neard");
        AddProcess(203, "sleep", "1000");
        AddEnvironment(203, $"{SetprivExec.HomeMarkerVariable}=/var/lib/other");
        AddProcess(204, "sleep", "1000");
        AddEnvironment(204, $"{SetprivExec.HomeMarkerVariable}=");
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);

        var found = reaper.Find("/opt/neard-wrapper", "/var/lib/neard", new HashSet<int>());

        Assert.Equal([201, 202], found.Select(s => s.Pid).Order());
    }

    [Fact]
    public void Find_SparesTheProcessGroupsOfTheNeardsKndRuns()
    {
        AddProcess(301, "sleep", "1000");
        AddEnvironment(301, $"{SetprivExec.HomeMarkerVariable}=/var/lib/neard");
        File.WriteAllText(_proc.File("301/stat"), "301 (sleep) S 300 300 300 0 -1");
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);

        Assert.Empty(reaper.Find("/opt/neard", "/var/lib/neard", new HashSet<int> { 300 }));
        Assert.Single(reaper.Find("/opt/neard", "/var/lib/neard", new HashSet<int> { 299 }));
    }

    [Fact]
    public async Task KillAsync_ProcessThatDoesNotGo_FailsWithPidAndHome()
    {
        // A fake /proc entry whose stat says "sleeping" and never changes; the cmdline no longer
        // matches, so no real process is signalled.
        AddProcess(999999, "/usr/bin/neard", "--home", "/var/lib/neard", "run");
        File.WriteAllText(_proc.File("999999/stat"), "999999 (neard) S 1 2 3");
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);
        var stray = new StrayNeard(999999, ["/usr/bin/neard", "--home", "/elsewhere", "run"]);

        var error = await Assert.ThrowsAsync<NeardStartException>(() => reaper.KillAsync([stray], TimeSpan.FromMilliseconds(100), CancellationToken.None));

        Assert.Contains("999999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAsync_ZombieOrVanished_CountsAsGone()
    {
        AddProcess(999998, "/usr/bin/neard");
        File.WriteAllText(_proc.File("999998/stat"), "999998 (ne ard) (x) Z 1 2 3");
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);

        await reaper.KillAsync([new StrayNeard(999998, ["other"]), new StrayNeard(999997, ["other"])], TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    [Fact]
    public void FindEscaped_MarkedProcessesOutsideTheGroup_NotItsMembersZombiesOrOtherHomes()
    {
        const string Marker = SetprivExec.HomeMarkerVariable;
        AddMarked(900001, 'S', 900001, $"{Marker}=/var/lib/neard");   // neard itself, leading its group
        AddMarked(900002, 'S', 900001, $"{Marker}=/var/lib/neard");   // a wrapper's child still in the group
        AddMarked(900003, 'S', 900003, $"{Marker}=/var/lib/neard/");  // left by setsid: the one to find
        AddMarked(900004, 'Z', 900004, $"{Marker}=/var/lib/neard");   // escaped but a zombie: holds nothing
        AddMarked(900005, 'S', 900005, $"{Marker}=/var/lib/other");   // another home's neard
        AddMarked(900006, 'S', 900006, "PATH=/usr/bin");              // not knd's
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc.Path);

        var escaped = reaper.FindEscaped("/var/lib/neard", 900001);

        Assert.Equal([900003], escaped.Select(e => e.Pid));
        Assert.Equal(["/usr/bin/neard-900003"], escaped[0].CommandLine);
    }

    private void AddMarked(int pid, char state, int group, string variable)
    {
        AddProcess(pid, $"/usr/bin/neard-{pid}");
        File.WriteAllText(_proc.File($"{pid}/stat"), $"{pid} (neard) {state} 1 {group} {group} 0");
        AddEnvironment(pid, variable);
    }

    private void AddProcess(int pid, params string[] commandLine)
    {
        var directory = Directory.CreateDirectory(_proc.File(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var bytes = Encoding.UTF8.GetBytes(string.Concat(commandLine.Select(a => a + "\0")));
        File.WriteAllBytes(Path.Combine(directory.FullName, "cmdline"), bytes);
    }

    private void AddEnvironment(int pid, params string[] variables)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(variables.Select(v => v + "\0")));
        File.WriteAllBytes(_proc.File(Path.Combine(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "environ")), bytes);
    }
}
