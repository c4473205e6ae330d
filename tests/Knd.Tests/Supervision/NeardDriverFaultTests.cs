using Knd.Interop;
using Knd.Neard;

namespace Knd.Tests.Supervision;

/// <summary>
/// The neard worker is the only thing that stops neard. If it could die quietly, every later stop
/// (a fence's among them) would be dropped while the session expires under a signing neard: a fault
/// must reach the crash handler, after which the daemon SIGKILLs neard and fails fast.
/// </summary>
public sealed class NeardDriverFaultTests : IAsyncLifetime
{
    private readonly NeardDriverRig _rig = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Stop_KillFailsWithEperm_WorkerFaultIsReported_NotSwallowed()
    {
        var neard = await StartAsync(1);
        var eperm = new InvalidOperationException($"kill({neard.Pid}, {Libc.SigTerm}) failed with errno 1");
        neard.OnStop = _ => throw eperm;

        _rig.Driver.Enqueue(new StopNeardAction(1, "fence"));

        Assert.Same(eperm, await _rig.WaitForFaultAsync());
        Assert.Contains(_rig.Logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("[3023]", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task InstallKey_SighupFailsWithEperm_WorkerFaultIsReported()
    {
        var neard = await StartAsync(1);
        neard.OnSignal = signal => throw new InvalidOperationException($"kill({neard.Pid}, {signal}) failed with errno 1");

        _rig.Driver.Enqueue(new InstallKeyAction(1));

        Assert.IsType<InvalidOperationException>(await _rig.WaitForFaultAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task KillNow_AfterAFault_SigkillsTheCurrentNeard_AndNeverThrows()
    {
        var neard = await StartAsync(1);
        neard.OnStop = _ => throw new InvalidOperationException("EPERM");
        _rig.Driver.Enqueue(new StopNeardAction(1, "fence"));
        await _rig.WaitForFaultAsync();

        // What the daemon's fault handler does before Environment.FailFast.
        _rig.Driver.KillNow();

        Assert.Equal(1, neard.Kills);
        Assert.True(neard.Exited.IsCompleted);
    }

    [Fact(Timeout = 30_000)]
    public async Task Start_LauncherThrowsUnexpectedly_WorkerFaultIsReported()
    {
        _rig.Launcher.OnStart = (_, _) => throw new InvalidOperationException("kill(42, 9) failed with errno 1");

        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));

        Assert.IsType<InvalidOperationException>(await _rig.WaitForFaultAsync());
        Assert.DoesNotContain(_rig.Events, e => e is NeardStartedEvent);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExpectedFailures_AreAnsweredAsEvents_NotFaults()
    {
        _rig.Launcher.OnStart = (_, _) => throw new NeardStartException("cannot start neard: no such file");
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<NeardStartFailedEvent>(e => e.Generation == 1);

        _rig.Launcher.OnStart = null;
        _rig.Driver.Enqueue(new StartNeardAction(2, NeardMode.Voter));
        await _rig.WaitForAsync<NeardStartedEvent>(e => e.Generation == 2);
        _rig.Driver.Enqueue(new StopNeardAction(2, "demote"));
        var stopped = await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 2);

        Assert.True(stopped.Confirmed);
        Assert.Empty(_rig.Faults);
    }

    private async Task<FakeNeardProcess> StartAsync(int generation)
    {
        _rig.Driver.Enqueue(new StartNeardAction(generation, NeardMode.Voter));
        var started = await _rig.WaitForAsync<NeardStartedEvent>(e => e.Generation == generation);
        return _rig.Launcher.Started.Single(p => p.Pid == started.Pid);
    }
}
