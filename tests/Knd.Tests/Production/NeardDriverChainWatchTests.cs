using Knd.Neard;
using Knd.Tests.Infrastructure;
using Knd.Tests.Supervision;

namespace Knd.Tests.Production;

/// <summary>The seam: every synced head the driver's health poll sees goes to the chain watch of that neard; a syncing one does not.</summary>
public sealed class NeardDriverChainWatchTests : IAsyncLifetime
{
    private readonly NeardDriverRig _rig = new(chainWatch: true);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task SyncedHead_StartsALook_ThroughTheSameNeardsRpc()
    {
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));

        // The fake RPC refuses validators: the look fails, which is how the test sees it was made.
        var failed = await _rig.WaitForAsync<ProductionObserveFailedEvent>();

        Assert.Contains("validators: ConnectionRefused", failed.Error, StringComparison.Ordinal);
        Assert.True(_rig.Events.ToList().FindIndex(e => e is StatusPolledEvent) < _rig.Events.ToList().FindIndex(e => e is ProductionObserveFailedEvent));
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncingHead_IsNotLookedAt()
    {
        _rig.Rpc.OnStatus = _ => Task.FromResult(NeardRpcResult<NeardStatus>.Ok(new NeardStatus(100, true, null, null, null, null, null)));
        _rig.Driver.Enqueue(new StartNeardAction(1, NeardMode.Voter));
        await _rig.WaitForAsync<StatusPolledEvent>();
        for (var i = 0; i < 3; i++)
        {
            var polls = _rig.Events.OfType<StatusPolledEvent>().Count();
            _rig.Time.Advance(_rig.Timings.HealthPollInterval);
            await Deadline.WaitUntilAsync(() => _rig.Events.OfType<StatusPolledEvent>().Count() > polls, TimeSpan.FromSeconds(10), "another poll");
        }

        Assert.Empty(_rig.Events.OfType<ProductionObserveFailedEvent>());
        Assert.Empty(_rig.Events.OfType<ProductionObservedEvent>());
    }
}
