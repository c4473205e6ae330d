using Knd.Neard;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Supervision;

/// <summary>
/// The health poller must outlive any answer: a poller that died would leave the machine without
/// samples, so a hung or dead neard would never be found unhealthy.
/// </summary>
public sealed class NeardDriverHealthPollTests : IAsyncLifetime
{
    private readonly NeardDriverRig _rig = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task RpcThrows_IsOneFailedSample_Logged_AndPollingGoesOn()
    {
        _rig.Rpc.OnStatus = _ => throw new NullReferenceException("sync_info was null");
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));

        var failed = await _rig.WaitForAsync<StatusPolledEvent>(e => e.Generation == 1);
        Assert.False(failed.Sample.Ok);
        Assert.Contains("NullReferenceException", failed.Sample.Error, StringComparison.Ordinal);
        Assert.Contains(_rig.Logs.Lines, l => l.Contains("[3019]", StringComparison.Ordinal) && l.Contains("NullReferenceException", StringComparison.Ordinal));

        _rig.Rpc.OnStatus = _ => Task.FromResult(NeardRpcResult<NeardStatus>.Ok(new NeardStatus(42, false, null, null, null, null, null)));
        await PollAgainAsync();

        var healthy = await _rig.WaitForAsync<StatusPolledEvent>(e => e.Sample.Ok);
        Assert.Equal(42, healthy.Sample.HeadHeight);
        Assert.Empty(_rig.Faults);
    }

    [Fact(Timeout = 30_000)]
    public async Task MalformedAnswers_InARow_AreEachAFailedSample_CountedAsRpcErrors()
    {
        _rig.Rpc.OnStatus = _ => Task.FromResult(NeardRpcResult<NeardStatus>.Fail(new NeardRpcError(NeardRpcErrorKind.MalformedResponse, "status: sync_info is missing or null")));
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<StatusPolledEvent>();

        await PollAgainAsync();
        await PollAgainAsync();

        Assert.True(_rig.Events.OfType<StatusPolledEvent>().Count(e => !e.Sample.Ok) >= 3);
        Assert.True(_rig.RpcErrors >= 3);

        // Logged when the error changes, not on every poll.
        Assert.Single(_rig.Logs.Lines, l => l.Contains("[3019]", StringComparison.Ordinal));
    }

    /// <summary>Advances the fake clock until the poller has asked once more.</summary>
    private async Task PollAgainAsync()
    {
        var calls = _rig.Rpc.StatusCalls;
        await Deadline.WaitUntilAsync(
            () =>
            {
                _rig.Time.Advance(_rig.Timings.HealthPollInterval);
                return _rig.Rpc.StatusCalls > calls;
            },
            TimeSpan.FromSeconds(10),
            "another /status poll");
    }
}
