
namespace Knd.Tests.Metrics;

public sealed class StateOneHotTests
{
    [Fact(Timeout = 60_000)]
    public async Task Scrape_WhileTheStateChangesFromAnotherThread_AlwaysSeesExactlyOneStateAtOne()
    {
        using var harness = new MetricsHarness();
        // Voting and Validating are neighbours in the series order, where a torn read would show.
        SupervisorState[] states = [SupervisorState.Voting, SupervisorState.Validating];
        using var stop = new CancellationTokenSource();
        long published = 0;
        var writer = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                harness.Status.Publish(MetricsHarness.Snapshot(states[i % states.Length]));
                Interlocked.Increment(ref published);
            }
        });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // Scrape at least 5000 times, and on a loaded machine until the writer has raced us enough.
            var deadline = TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency * 40);
            for (var scrape = 0; scrape < 5000 || seen.Count < 2 || Interlocked.Read(ref published) <= 5000; scrape++)
            {
                Assert.True(TimeProvider.System.GetTimestamp() < deadline, "the writer never raced the scrapes within 40 s");
                var series = harness.Samples().Where(s => s.Name == "knd_state").ToList();
                Assert.Equal(6, series.Count);
                var hot = series.Where(s => s.Value == 1).ToList();
                Assert.True(hot.Count == 1, $"scrape {scrape}: {hot.Count} states at 1 ({string.Join(", ", hot.Select(s => s.Label("state")))})");
                Assert.All(series, s => Assert.True(s.Value is 0 or 1, $"knd_state {s.Value}"));
                seen.Add(hot[0].Label("state")!);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        // The writer really raced the scrapes: the scrapes saw the state move.
        Assert.True(Interlocked.Read(ref published) > 5000, "the writer published too few snapshots to race the scrapes");
        Assert.True(seen.Count > 1, "every scrape saw the same state; the test did not exercise a change");
    }
}
