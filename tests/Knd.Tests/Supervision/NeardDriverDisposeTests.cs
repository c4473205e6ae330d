namespace Knd.Tests.Supervision;

/// <summary>
/// The supervisor disposes the neard driver when its loop ends and the host's container disposes it
/// again at exit (it is registered as the coordinators' INeardControl): the second must be a no-op,
/// or every graceful stop of knd ended with exit code 1 on a disposed CancellationTokenSource.
/// </summary>
public sealed class NeardDriverDisposeTests
{
    [Fact(Timeout = 30_000)]
    public async Task DisposeAsync_Twice_IsHarmless()
    {
        await using var rig = new NeardDriverRig();

        await rig.Driver.DisposeAsync();
        var second = await Record.ExceptionAsync(async () => await rig.Driver.DisposeAsync());

        Assert.Null(second);
    }
}
