namespace Knd.IntegrationTests.Infrastructure;

/// <summary>Waits on a condition with a deadline (never a fixed sleep).</summary>
public static class Eventually
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> describe)
        where T : class
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (TimeProvider.System.GetElapsedTime(started) >= timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {describe()}");
            }

            await Task.Delay(PollInterval, TimeProvider.System);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        await UntilAsync<object>(async () => await condition() ? new object() : null, timeout, describe);
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, describe);

    /// <summary>Waits until <paramref name="condition"/> holds (default 30 s), naming <paramref name="what"/> on timeout.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null) =>
        UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(30), () => $"{what}\n{diagnostics?.Invoke()}");

    public static Task HoldsAsync(Func<bool> condition, string what, Func<string>? diagnostics = null, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, diagnostics, timeout);
}
