using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Knd.Interop;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Neard;

[SupportedOSPlatform("linux")]
public sealed class NeardProcessLauncherTests : IDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    private readonly LauncherFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_RunsNeardWithHomeRunBootNodes_InPlaceOfSetpriv()
    {
        Environment.SetEnvironmentVariable("KND_TEST_INHERITED", "from-knd");
        var spec = _fixture.Spec(_fixture.Script(LauncherFixture.Cooperative), "ed25519:X@10.0.0.1:24567,ed25519:Y@10.0.0.2:24567") with
        {
            ExtraEnvironment = new Dictionary<string, string> { ["KND_TEST_OUT"] = _fixture.Out, ["KND_TEST_EXTRA"] = "extra" },
        };

        var neard = await _fixture.StartAsync(spec);
        await _fixture.WaitForFileAsync(Path.Combine(_fixture.Out, "env"));

        Assert.Equal(
            ["--home", _fixture.Home, "run", "--boot-nodes", "ed25519:X@10.0.0.1:24567,ed25519:Y@10.0.0.2:24567"],
            File.ReadAllLines(Path.Combine(_fixture.Out, "argv")));
        Assert.Equal(["extra", "from-knd"], File.ReadAllLines(Path.Combine(_fixture.Out, "env")));

        // setpriv exec'd neard (here: the script, which exec'd sleep) in the same process, a direct child of knd.
        await LauncherFixture.Until(() => ReadCommandLine(neard.Pid).StartsWith("sleep", StringComparison.Ordinal), "the script to exec sleep");
        Assert.DoesNotContain("setpriv", ReadCommandLine(neard.Pid), StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessId, ParentPid(neard.Pid));
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_NoBootNodes_OmitsTheFlag()
    {
        await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));
        await _fixture.WaitForFileAsync(Path.Combine(_fixture.Out, "argv"));

        Assert.Equal(["--home", _fixture.Home, "run"], File.ReadAllLines(Path.Combine(_fixture.Out, "argv")));
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_OomScoreAdj_IsSetOnNeard()
    {
        // Raising needs no privilege; never ask for less than the test process already has.
        var target = Math.Max(OomScore.Read(Environment.ProcessId) ?? 0, 200);

        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)) with { OomScoreAdj = target });

        Assert.Equal(target, OomScore.Read(neard.Pid));
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_CooperativeChild_ExitsAfterTermQuickly()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));
        await _fixture.WaitForFileAsync(Path.Combine(_fixture.Out, "argv"));
        var watch = Stopwatch.StartNew();

        var result = await neard.StopAsync(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(NeardStopResult.ExitedAfterTerm, result);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(128 + Libc.SigTerm, await neard.Exited);
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_SigtermIgnoringChild_IsKilledWithinTermPlusKillConfirm()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm)));
        await LauncherFixture.Until(() => ReadCommandLine(neard.Pid).StartsWith("sleep", StringComparison.Ordinal), "the trap and exec");
        var termTimeout = TimeSpan.FromMilliseconds(500);
        var killConfirm = TimeSpan.FromSeconds(2);
        var watch = Stopwatch.StartNew();

        var result = await neard.StopAsync(termTimeout, killConfirm, CancellationToken.None);

        watch.Stop();
        Assert.Equal(NeardStopResult.Killed, result);
        Assert.True(neard.Exited.IsCompleted, "a Killed result must mean the exit was confirmed");
        Assert.Equal(128 + Libc.SigKill, await neard.Exited);

        // A measured bound with a generous margin for a loaded machine, not a performance claim.
        Assert.InRange(watch.Elapsed, termTimeout - TimeSpan.FromMilliseconds(50), termTimeout + killConfirm + TimeSpan.FromSeconds(3));
    }

    [Fact(Timeout = 60_000)]
    public async Task Exited_CrashingChild_CompletesWithItsExitCode_ThenStopSaysAlreadyExited()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.CrashesWith3)));

        Assert.Equal(3, await neard.Exited.WaitAsync(ExitWait));
        Assert.Equal(NeardStopResult.AlreadyExited, await neard.StopAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.False(neard.Signal(Libc.SigHup));
        Assert.Empty(_fixture.Launcher.Running);
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_AgainAfterAStop_SaysAlreadyExited()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));

        await neard.StopAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(NeardStopResult.AlreadyExited, await neard.StopAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_ConcurrentCalls_AllConfirmTheExit()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm)));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            neard.StopAsync(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5), CancellationToken.None)));

        // On a loaded machine a later call can start after the first one's kill was already reaped:
        // "already exited" is a confirmed exit too. What must never come back is "not confirmed".
        Assert.All(results, r => Assert.Contains(r, new[] { NeardStopResult.Killed, NeardStopResult.ExitedAfterTerm, NeardStopResult.AlreadyExited }));
        Assert.Contains(results, r => r is NeardStopResult.Killed or NeardStopResult.ExitedAfterTerm);
        Assert.True(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_Cancelled_StillKillsTheChild()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm)));

        // Until the shell has run its trap, SIGTERM would end it and the stop would not need the cancel.
        await LauncherFixture.Until(() => ReadCommandLine(neard.Pid).StartsWith("sleep", StringComparison.Ordinal), "the trap and exec");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => neard.StopAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), cancel.Token));

        Assert.Equal(128 + Libc.SigKill, await neard.Exited.WaitAsync(ExitWait));
    }

    [Fact(Timeout = 60_000)]
    public async Task Signal_Sighup_ReachesTheRunningChild()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.CountsSighup.Replace("HUP\n", "HUP\n: > \"$KND_TEST_OUT/ready\"\n", StringComparison.Ordinal))));
        await LauncherFixture.Until(() => File.Exists(Path.Combine(_fixture.Out, "ready")), "the HUP trap");
        var hupFile = Path.Combine(_fixture.Out, "hup");

        Assert.True(neard.Signal(Libc.SigHup));
        await LauncherFixture.Until(() => File.Exists(hupFile) && File.ReadAllLines(hupFile).Length == 1, "the first SIGHUP");
        Assert.True(neard.Signal(Libc.SigHup));
        await LauncherFixture.Until(() => File.ReadAllLines(hupFile).Length == 2, "the second SIGHUP");

        Assert.False(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_RunningChild_SigkillsIt()
    {
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm)));

        neard.Dispose();

        Assert.Equal(128 + Libc.SigKill, await neard.Exited.WaitAsync(ExitWait));
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_WithoutSetprivOnPath_FailsSayingWhy()
    {
        using var launcher = new NeardProcessLauncher(NullLogger.Instance, TimeProvider.System, TimeSpan.FromSeconds(1), searchPath: _fixture.Out);

        var error = await Assert.ThrowsAsync<NeardStartException>(() => launcher.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)), CancellationToken.None));

        Assert.Contains("setpriv", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_fixture.Out, "argv")));
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_MissingBinaryOrHome_FailsNamingIt()
    {
        var missingBin = await Assert.ThrowsAsync<NeardStartException>(() => _fixture.Launcher.StartAsync(_fixture.Spec("/nonexistent/neard"), CancellationToken.None));
        var notOnPath = await Assert.ThrowsAsync<NeardStartException>(() => _fixture.Launcher.StartAsync(_fixture.Spec("no-such-neard-binary"), CancellationToken.None));
        var missingHome = await Assert.ThrowsAsync<NeardStartException>(() => _fixture.Launcher.StartAsync(
            _fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)) with { Home = "/nonexistent/home" }, CancellationToken.None));

        Assert.Contains("/nonexistent/neard", missingBin.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-neard-binary", notOnPath.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/home", missingHome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_WhileItsOwnNeardRunsOnTheHome_Refuses()
    {
        var spec = _fixture.Spec(_fixture.Script(LauncherFixture.Cooperative));
        var first = await _fixture.StartAsync(spec);

        var error = await Assert.ThrowsAsync<NeardStartException>(() => _fixture.Launcher.StartAsync(spec, CancellationToken.None));

        Assert.Contains(first.Pid.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.False(first.Exited.IsCompleted);
    }

    internal static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static int ParentPid(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
