using System.Diagnostics.Metrics;

namespace Knd.Metrics;

/// <summary>The kind of a metric family, as written on its <c># TYPE</c> line.</summary>
internal enum PrometheusType
{
    Counter,
    Gauge,
}

/// <summary>One metric family: its name, type and help text.</summary>
internal sealed record PrometheusFamily(string Name, PrometheusType Type, string Help)
{
    private const string CounterSuffix = "_total";

    public string TypeText => Type == PrometheusType.Counter ? "counter" : "gauge";

    /// <summary>The family of an observable instrument, or null for one this exporter does not export.</summary>
    public static PrometheusFamily? From(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        PrometheusType? kind = definition == typeof(ObservableCounter<>) ? PrometheusType.Counter
            : definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) ? PrometheusType.Gauge
            : null;
        if (kind is not { } prometheusType)
        {
            return null;
        }

        var name = PrometheusFormat.SanitizeMetricName(instrument.Name);
        if (prometheusType == PrometheusType.Counter && !name.EndsWith(CounterSuffix, StringComparison.Ordinal))
        {
            name += CounterSuffix;
        }

        var help = string.IsNullOrWhiteSpace(instrument.Description) ? name : instrument.Description;
        return new PrometheusFamily(name, prometheusType, help);
    }
}

/// <summary>One series of a scrape: its family, its rendered label set (<c>{a="b"}</c> or empty) and its value.</summary>
internal sealed record PrometheusSeries(PrometheusFamily Family, string Labels, string Value);
