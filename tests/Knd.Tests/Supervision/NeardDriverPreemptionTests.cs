using Knd.Neard;

namespace Knd.Tests.Supervision;

/// <summary>
/// A stop of the generation being started must not wait behind the start (a stray kill and an exec
/// wait that FenceBound does not count): it cancels the start, stops whatever was forked, and is
/// answered. The launchers here block until cancelled, so without pre-emption the stop never comes.
/// </summary>
public sealed class NeardDriverPreemptionTests : IAsyncLifetime
{
    private readonly NeardDriverRig _rig = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Stop_WhileTheStartBlocksBeforeTheFork_CancelsIt_AndIsAnsweredConfirmed()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Launcher.OnStart = async (_, token) =>
        {
            // As a stray neard that takes its time to die: only cancellation ends the wait.
            entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
            throw new InvalidOperationException("unreachable");
        };
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Validator));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _rig.Driver.Enqueue(new StopNeardAction(1, "fence"));

        var stopped = await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 1);
        Assert.True(stopped.Confirmed);
        Assert.Empty(_rig.Launcher.Started);
        Assert.DoesNotContain(_rig.Events, e => e is NeardStartedEvent or NeardStartFailedEvent);
        Assert.Empty(_rig.Faults);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_WhileTheStartWaitsForExecAfterTheFork_StopsTheForkedProcess_AndConfirms()
    {
        var forked = new TaskCompletionSource<FakeNeardProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Launcher.OnStart = async (spec, token) =>
        {
            var process = _rig.Launcher.StartDefault(spec);
            forked.TrySetResult(process);
            try
            {
                // As setpriv that has not exec'd neard yet.
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
            }
            catch (OperationCanceledException)
            {
                throw new NeardStartCancelledException(process, token);
            }

            return process;
        };
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Validator));
        var process = await forked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _rig.Driver.Enqueue(new StopNeardAction(1, "fence"));

        var stopped = await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 1);
        Assert.True(stopped.Confirmed);
        Assert.Equal(1, process.StopCalls);
        Assert.True(process.Exited.IsCompleted, "the forked process must be stopped before the stop is answered");
        Assert.DoesNotContain(_rig.Events, e => e is NeardStartedEvent);
        Assert.Null(_rig.Driver.CurrentPid);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_WhileTheStartWaitsForExec_StopNotConfirmed_TheRetryFindsTheForkedProcess()
    {
        var forked = new TaskCompletionSource<FakeNeardProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Launcher.OnStart = async (spec, token) =>
        {
            var process = _rig.Launcher.StartDefault(spec);
            process.OnStop = _ => Task.FromResult(NeardStopResult.NotConfirmed);
            forked.TrySetResult(process);
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new NeardStartCancelledException(process, token);
        };
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Validator));
        var process = await forked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _rig.Driver.Enqueue(new StopNeardAction(1, "fence"));
        Assert.False((await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 1)).Confirmed);

        // The machine retries the stop; the driver still holds the forked process and stops it again.
        process.OnStop = null;
        _rig.Driver.Enqueue(new StopNeardAction(1, "previous stop not confirmed"));
        await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 1 && e.Confirmed);
        Assert.Equal(2, process.StopCalls);
    }

    [Fact(Timeout = 30_000)]
    public async Task StopOfAnEarlierGeneration_DoesNotCancelTheStart()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        _rig.Launcher.OnStart = async (spec, token) =>
        {
            await using (token.Register(() => cancelled = true))
            {
                await release.Task;
            }

            return _rig.Launcher.StartDefault(spec);
        };
        _rig.Driver.Enqueue(new StartNeardAction(2, NeardMode.Voter));
        _rig.Driver.Enqueue(new StopNeardAction(1, "old generation"));

        release.SetResult();

        await _rig.WaitForAsync<NeardStartedEvent>(e => e.Generation == 2);
        Assert.False(cancelled);
        Assert.True((await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 1)).Confirmed);
    }

    [Fact(Timeout = 30_000)]
    public async Task StartStillQueued_WhenItsStopArrives_IsSkipped_NothingLaidOutOrForked()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Launcher.OnStart = async (spec, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            return _rig.Launcher.StartDefault(spec);
        };
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _rig.Driver.Enqueue(new StartNeardAction(2, NeardMode.Validator));
        _rig.Driver.Enqueue(new StopNeardAction(2, "fence"));

        release.SetResult();

        var stopped = await _rig.WaitForAsync<NeardStoppedEvent>(e => e.Generation == 2);
        Assert.True(stopped.Confirmed);
        Assert.Single(_rig.Launcher.Started);
        Assert.False(File.Exists(_rig.HomeFile("validator_key.json")), "a skipped validator start must not place the key");
    }
}
