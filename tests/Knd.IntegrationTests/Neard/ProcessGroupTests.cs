using System.Globalization;
using System.Runtime.Versioning;
using Knd.Interop;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Neard;

/// <summary>
/// neard leads a process group of its own and knd stops the whole group, so a <c>--neard-bin</c>
/// wrapper that runs neard as its child (no <c>exec</c>) cannot leave an orphan that signs or holds
/// the RPC port. The wrappers here are real shells with a real child; each test reads the child's
/// pid from a file and checks in /proc that it is gone.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessGroupTests : IDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    /// <summary>A wrapper that does not exec: its "neard" (a sleep) is its child.</summary>
    private const string NonExecWrapper = """
        #!/bin/sh
        sleep 1000 &
        echo $! > "$KND_TEST_OUT/child"
        wait
        echo "wrapper: child ended" >&2
        """;

    /// <summary>The same, with a child that ignores SIGTERM, so only the group SIGKILL ends it.</summary>
    private const string NonExecWrapperStubbornChild = """
        #!/bin/sh
        sh -c 'trap "" TERM; exec sleep 1000' &
        echo $! > "$KND_TEST_OUT/child"
        wait
        """;

    private readonly LauncherFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task Neard_LeadsItsOwnSessionAndProcessGroup()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));

        var fields = StatFields(neard.Pid);
        Assert.Equal(neard.Pid, int.Parse(fields[2], CultureInfo.InvariantCulture));
        Assert.Equal(neard.Pid, int.Parse(fields[3], CultureInfo.InvariantCulture));
        Assert.NotEqual(Libc.GetProcessGroup(Environment.ProcessId), Libc.GetProcessGroup(neard.Pid));
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_NonExecWrapper_TheWrappersChildIsGoneToo()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(NonExecWrapper)));
        var child = await ChildPidAsync();
        Assert.True(IsAlive(child));

        var result = await neard.StopAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(NeardStopResult.ExitedAfterTerm, result);
        Assert.False(IsAlive(child), $"the wrapper's child (pid {child}) outlived the stop");
        Assert.False(Libc.KillGroup(neard.Pid, 0) && ProcessGroup.HasLiveMembers(neard.Pid), "a live process is left in neard's group");
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_NonExecWrapperWithAChildIgnoringSigterm_GroupSigkillEndsIt()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(NonExecWrapperStubbornChild)));
        var child = await ChildPidAsync();
        await LauncherFixture.Until(() => NeardProcessLauncherTests.ReadCommandLine(child).StartsWith("sleep", StringComparison.Ordinal), "the child's trap and exec");

        var result = await neard.StopAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), CancellationToken.None);

        // The wrapper dies of SIGTERM, but the stop is confirmed only once the child is gone as well.
        Assert.Equal(NeardStopResult.Killed, result);
        Assert.False(IsAlive(child), $"the wrapper's child (pid {child}) outlived the stop");
    }

    [Fact(Timeout = 60_000)]
    public async Task Sighup_GoesToTheMainPidOnly_AndItsExitCountsOnlyOnceTheGroupIsGone()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(NonExecWrapperStubbornChild)));
        var child = await ChildPidAsync();
        await LauncherFixture.Until(() => NeardProcessLauncherTests.ReadCommandLine(child).StartsWith("sleep", StringComparison.Ordinal), "the child's trap and exec");

        // A hot swap's SIGHUP kills a shell that does not trap it; its child would stay as an orphan.
        Assert.True(neard.Signal(Libc.SigHup));
        var code = await neard.Exited.WaitAsync(ExitWait);

        Assert.Equal(128 + Libc.SigHup, code);
        Assert.False(IsAlive(child), $"the wrapper's child (pid {child}) outlived the wrapper's exit");
    }

    [Fact(Timeout = 60_000)]
    public async Task Sighup_DoesNotReachTheOtherMembersOfTheGroup()
    {
        const string Script = """
            #!/bin/sh
            sh -c 'trap "echo hup >> \"$KND_TEST_OUT/child-hup\"" HUP; while :; do sleep 0.05; done' &
            trap 'echo hup >> "$KND_TEST_OUT/main-hup"' HUP
            : > "$KND_TEST_OUT/ready"
            while :; do sleep 0.05; done
            """;
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(Script)));
        await LauncherFixture.Until(() => File.Exists(Path.Combine(_fixture.Out, "ready")), "the traps");

        Assert.True(neard.Signal(Libc.SigHup));
        await LauncherFixture.Until(() => File.Exists(Path.Combine(_fixture.Out, "main-hup")), "the main process's SIGHUP");

        Assert.False(File.Exists(Path.Combine(_fixture.Out, "child-hup")), "SIGHUP reached another process of neard's group");
        Assert.False(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_WithoutSetsidOnPath_FailsSayingWhy()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_fixture.Root, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "setpriv"), ExecutableResolver.Resolve("setpriv", Environment.GetEnvironmentVariable("PATH"))!);
        using var launcher = new NeardProcessLauncher(NullLogger.Instance, TimeProvider.System, TimeSpan.FromSeconds(1), searchPath: bin);

        var error = await Assert.ThrowsAsync<NeardStartException>(() => launcher.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)), CancellationToken.None));

        Assert.Contains("setsid", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_fixture.Out, "argv")));
    }

    private async Task<int> ChildPidAsync()
    {
        var path = Path.Combine(_fixture.Out, "child");
        await _fixture.WaitForFileAsync(path);
        return int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>"pid (comm) S ppid pgrp session ...", split after the command name.</summary>
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static bool IsAlive(int pid) => ProcessGroup.ReadStat("/proc", pid) is { State: not ('Z' or 'X') };
}
