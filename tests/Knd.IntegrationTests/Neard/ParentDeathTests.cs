using System.Diagnostics;
using System.Runtime.Versioning;
using Knd.Interop;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Neard;

/// <summary>
/// The parent-death binding (contract §4.5). Linux sends the parent-death signal when the thread
/// that forked the child ends, so these tests end threads instead of killing the test process:
/// the control shows the kernel does that here, the launcher tests show neard survives the end of
/// the caller's thread but dies with the launcher's own fork thread, i.e. the signal is armed.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ParentDeathTests : IDisposable
{
    private readonly LauncherFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task Control_SetprivPdeathsigChild_DiesWhenTheForkingThreadEnds()
    {
        Process? child = null;
        var thread = new Thread(() =>
        {
            child = Process.Start(new ProcessStartInfo("setpriv", ["--pdeathsig", "KILL", "--", "sleep", "1000"]) { UseShellExecute = false })!;

            // setpriv arms the signal just before it execs sleep; a thread that ended earlier
            // would leave the child reparented and unarmed (the race every prctl-after-fork has).
            WaitUntilSleeping(child.Id);
        });
        thread.Start();
        thread.Join();
        using var process = child!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(128 + Libc.SigKill, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Neard_OutlivesTheThreadThatAskedForTheStart()
    {
        var spec = _fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm));
        INeardProcess? neard = null;
        var thread = new Thread(() => neard = _fixture.Launcher.StartAsync(spec, CancellationToken.None).GetAwaiter().GetResult());
        thread.Start();
        thread.Join();
        _fixture.Track(neard!);

        // Churn: more threads that start and end, and a burst of thread-pool work.
        for (var i = 0; i < 8; i++)
        {
            var shortLived = new Thread(() => { });
            shortLived.Start();
            shortLived.Join();
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => Thread.Yield())));

        // The control above dies within milliseconds of its thread's end; give this one a full second.
        var first = await Task.WhenAny(neard!.Exited, Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, CancellationToken.None));

        Assert.NotSame(neard.Exited, first);
        Assert.True(Libc.Kill(neard.Pid, 0), "neard must still be running");
        Assert.Equal(NeardStopResult.Killed, await neard.StopAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Neard_DiesByTheKernel_WhenTheLauncherThreadEnds()
    {
        var launcher = new NeardProcessLauncher(NullLogger.Instance, TimeProvider.System, TimeSpan.FromSeconds(5));
        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.IgnoresSigterm)), launcher);

        // No waiting here: StartAsync returns only once setpriv has armed the signal and exec'd.
        // Nothing signals neard here: disposing ends the fork thread, and the kernel does the rest.
        launcher.Dispose();

        Assert.Equal(128 + Libc.SigKill, await neard.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static void WaitUntilSleeping(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (!NeardProcessLauncherTests.ReadCommandLine(pid).StartsWith("sleep", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, CancellationToken.None).Wait();
        }
    }
}
