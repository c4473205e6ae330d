namespace Knd.Tests.Infrastructure;

/// <summary>Condition waits with a deadline, instead of fixed sleeps.</summary>
public static class Deadline
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>A token that fires when a test has run for too long, so a hang fails instead of blocking the run.</summary>
    public static CancellationTokenSource After(TimeSpan limit) => new(limit);

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
            }

            await Task.Delay(Poll, TimeProvider.System, CancellationToken.None);
        }
    }
}
