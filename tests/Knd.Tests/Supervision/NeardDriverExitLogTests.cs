using Knd.Neard;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Supervision;

/// <summary>
/// A neard exit is logged for what it was: a stop knd asked for is information, with the reason; an
/// exit nobody asked for is a warning. Before, both read "neard ... exited with code 0" as a warning.
/// </summary>
public sealed class NeardDriverExitLogTests : IAsyncLifetime
{
    private readonly NeardDriverRig _rig = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task StopAskedByKnd_ExitIsInformationWithTheReason_NoWarning()
    {
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<NeardStartedEvent>();

        _rig.Driver.Enqueue(new StopNeardAction(1, "demoting: the lock was lost"));
        await _rig.WaitForAsync<NeardExitedEvent>();

        var exit = Assert.Single(_rig.Logs.Lines, l => l.Contains("[3026]", StringComparison.Ordinal));
        Assert.StartsWith("Information ", exit, StringComparison.Ordinal);
        Assert.Contains("after knd stopped it (demoting: the lock was lost)", exit, StringComparison.Ordinal);
        Assert.DoesNotContain(_rig.Logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExitNobodyAskedFor_IsAWarning()
    {
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<NeardStartedEvent>();

        Assert.True(_rig.Launcher.Started.TryPeek(out var neard));
        neard.Exit(0);
        await _rig.WaitForAsync<NeardExitedEvent>();

        var exit = Assert.Single(_rig.Logs.Lines, l => l.Contains("[3004]", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", exit, StringComparison.Ordinal);
        Assert.Contains("exited on its own with code 0", exit, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HealthPollFailingWhileKndStopsNeard_IsNotLoggedAsAFault()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<NeardStartedEvent>();
        Assert.True(_rig.Launcher.Started.TryPeek(out var neard));

        // neard takes its time to stop and stops answering /status meanwhile.
        neard.OnStop = async token =>
        {
            stopping.TrySetResult();
            await release.Task.WaitAsync(token);
            return NeardStopResult.ExitedAfterTerm;
        };
        _rig.Rpc.OnStatus = _ => Task.FromResult(NeardRpcResult<NeardStatus>.Fail(new NeardRpcError(NeardRpcErrorKind.ConnectionRefused, "refused")));
        var polled = _rig.Events.OfType<StatusPolledEvent>().Count();
        _rig.Driver.Enqueue(new StopNeardAction(1, "knd is stopping"));
        await stopping.Task;

        await Deadline.WaitUntilAsync(
            () =>
            {
                _rig.Time.Advance(_rig.Timings.HealthPollInterval);
                return _rig.Events.OfType<StatusPolledEvent>().Count(e => !e.Sample.Ok) >= 2;
            },
            TimeSpan.FromSeconds(10),
            "failed polls during the stop");

        Assert.True(_rig.Events.OfType<StatusPolledEvent>().Count() > polled);
        Assert.DoesNotContain(_rig.Logs.Lines, l => l.Contains("[3019]", StringComparison.Ordinal));
        neard.Exit(143);
        release.TrySetResult();
    }
}
