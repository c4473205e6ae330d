using Knd.Metrics;
using Knd.Neard;
using Knd.Supervision;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Metrics;

/// <summary>A <see cref="KndMetrics"/> over a status the test drives, on a fake clock.</summary>
internal sealed class MetricsHarness : IDisposable
{
    public MetricsHarness(string version = "1.2.3-test")
    {
        Time = new FakeTimeProvider();
        Status = new SupervisorStatus(new MonotonicClock(Time), "node-a", "validator.pool.near");
        Counters = new SupervisorCounters();
        Status.Counters = Counters;
        Metrics = new KndMetrics(Status, version, NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; }

    public SupervisorStatus Status { get; }

    public SupervisorCounters Counters { get; }

    public KndMetrics Metrics { get; }

    public static SupervisorSnapshot Snapshot(SupervisorState state, TimeSpan takenAt = default) =>
        new(state, false, null, null, null, null, false, null, null, null, false, null, takenAt);

    public void Publish(SupervisorState state) => Status.Publish(Snapshot(state, Status.Clock.Now));

    public IReadOnlyList<PrometheusSample> Samples()
    {
        var samples = PrometheusText.Parse(Metrics.Scrape(), out var skipped);
        Assert.Equal(0, skipped);
        return samples;
    }

    /// <summary>The value of the one series named <paramref name="name"/> with these labels, or null when absent.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Samples()
            .Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Label(l.Name) == l.Value))
            .ToList();
        Assert.True(matches.Count <= 1, $"{matches.Count} series of {name} with the same labels");
        return matches.Count == 0 ? null : matches[0].Value;
    }

    public void Dispose() => Metrics.Dispose();
}
