using System.Diagnostics.Metrics;
using Knd.Metrics;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Scrape_EveryFamilyHasHelpAndType_EvenWithoutSeries()
    {
        using var meter = new Meter("test.help");
        meter.CreateObservableGauge("absent_gauge", () => Array.Empty<Measurement<long>>(), description: "nothing yet");
        meter.CreateObservableCounter("things_total", () => 3L, description: "things seen");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        Assert.Equal(
            "# HELP absent_gauge nothing yet\n# TYPE absent_gauge gauge\n" +
            "# HELP things_total things seen\n# TYPE things_total counter\nthings_total 3\n",
            exporter.Scrape());
    }

    [Fact]
    public void Scrape_FamiliesSortedByName_SeriesSortedByLabels()
    {
        using var meter = new Meter("test.sort");
        meter.CreateObservableGauge("zeta", () => 1, description: "z");
        meter.CreateObservableGauge("alpha", () => new[]
        {
            new Measurement<int>(2, new KeyValuePair<string, object?>("k", "b")),
            new Measurement<int>(1, new KeyValuePair<string, object?>("k", "a")),
        }, description: "a");
        meter.CreateObservableGauge("mid", () => 0.5, description: "m");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        var lines = exporter.Scrape().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l[0] != '#');

        Assert.Equal(["alpha{k=\"a\"} 1", "alpha{k=\"b\"} 2", "mid 0.5", "zeta 1"], lines);
    }

    [Fact]
    public void Scrape_CounterWithoutTotalSuffix_IsNamedWithTotal_AndUpDownCounterIsGauge()
    {
        using var meter = new Meter("test.names");
        meter.CreateObservableCounter("requests", () => 7L, description: "r");
        meter.CreateObservableUpDownCounter("queue_depth", () => 2L, description: "q");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        var text = exporter.Scrape();

        Assert.Contains("# TYPE requests_total counter\nrequests_total 7\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE queue_depth gauge\nqueue_depth 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_LabelValuesAndHelpAreEscaped()
    {
        using var meter = new Meter("test.escape");
        meter.CreateObservableGauge("odd", () => new Measurement<int>(1, new KeyValuePair<string, object?>("v", "a\\b\"c\nd")), description: "line one\nline \\ two");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        Assert.Equal("# HELP odd line one\\nline \\\\ two\n# TYPE odd gauge\nodd{v=\"a\\\\b\\\"c\\nd\"} 1\n", exporter.Scrape());
    }

    [Fact]
    public void Scrape_SpecialDoubles_AreWrittenAsPrometheusExpects()
    {
        using var meter = new Meter("test.doubles");
        meter.CreateObservableGauge("special", () => new[]
        {
            new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("v", "a")),
            new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("v", "b")),
            new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("v", "c")),
        }, description: "s");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        Assert.EndsWith("special{v=\"a\"} +Inf\nspecial{v=\"b\"} -Inf\nspecial{v=\"c\"} NaN\n", exporter.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_DuplicateLabelSet_KeepsOneSeries()
    {
        using var meter = new Meter("test.duplicate");
        meter.CreateObservableGauge("dup", () => new[] { new Measurement<int>(1), new Measurement<int>(2) }, description: "d");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);

        Assert.EndsWith("# TYPE dup gauge\ndup 2\n", exporter.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_PushInstrumentsAndOtherMeters_AreNotExported()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        using var meter = new Meter("test.push");
        using var other = new Meter("test.push");
        var counter = meter.CreateCounter<long>("pushed_total", description: "p");
        other.CreateObservableGauge("foreign", () => 1, description: "f");
        meter.CreateObservableGauge("mine", () => 1, description: "m");
        using var exporter = new PrometheusExporter(meter, factory.CreateLogger("test"));
        counter.Add(5);

        Assert.Equal("# HELP mine m\n# TYPE mine gauge\nmine 1\n", exporter.Scrape());
        Assert.Contains(logs.Lines, l => l.Contains("[5001]", StringComparison.Ordinal) && l.Contains("pushed_total", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrape_ACallbackThrows_OtherFamiliesStillRendered_AndItIsLogged()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        using var meter = new Meter("test.throw");
        meter.CreateObservableGauge("broken", new Func<int>(() => throw new InvalidOperationException("boom")), description: "b");
        meter.CreateObservableGauge("fine", () => 1, description: "f");
        using var exporter = new PrometheusExporter(meter, factory.CreateLogger("test"));

        var text = exporter.Scrape();

        Assert.Contains("\nfine 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE broken gauge\n", text, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.Contains("[5000]", StringComparison.Ordinal) && l.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrape_InstrumentsCreatedAfterTheExporter_AreExported()
    {
        using var meter = new Meter("test.late");
        using var exporter = new PrometheusExporter(meter, NullLogger.Instance);
        meter.CreateObservableGauge("late", () => 4, description: "l");

        Assert.Equal("# HELP late l\n# TYPE late gauge\nlate 4\n", exporter.Scrape());
    }
}
