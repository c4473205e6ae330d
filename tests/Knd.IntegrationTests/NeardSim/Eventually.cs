namespace Knd.IntegrationTests.NeardSim;

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? DefaultTimeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting until {what}.\n{diagnostics?.Invoke()}");
            }

            await Task.Delay(PollInterval, TimeProvider.System, CancellationToken.None);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, diagnostics, timeout);
}
