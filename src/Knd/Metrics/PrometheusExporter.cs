using System.Diagnostics.Metrics;

namespace Knd.Metrics;

/// <summary>
/// Renders the observable instruments of one <see cref="Meter"/> as Prometheus text 0.0.4.
/// </summary>
/// <remarks>
/// Stands in for prometheus-net (not served by the package registry here).
/// Every value is read at scrape time through the instruments' callbacks, so a family whose
/// callback reads one immutable snapshot is always rendered consistently. Push instruments
/// (Counter, Histogram...) are not exported: keep the value in a field and observe it.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly Meter _meter;
    private readonly ILogger _logger;
    private readonly MeterListener _listener;
    private readonly Lock _scrapeGate = new();
    private readonly Dictionary<Instrument, PrometheusFamily> _families = [];
    private List<PrometheusSeries>? _collecting;

    public PrometheusExporter(Meter meter, ILogger logger)
    {
        _meter = meter;
        _logger = logger;
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished, MeasurementsCompleted = OnMeasurementsCompleted };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Collect(instrument, PrometheusFormat.FormatInteger(value), tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Collect(instrument, PrometheusFormat.FormatInteger(value), tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Collect(instrument, PrometheusFormat.FormatDouble(value), tags));
        _listener.Start();
    }

    /// <summary>One scrape: calls every observable instrument's callback once and renders the result.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            var samples = new List<PrometheusSeries>();
            _collecting = samples;
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // One broken callback must not take the other families (or the endpoint) down.
                _logger.ObservationFailed(e.InnerExceptions.Count, e.InnerExceptions[0]);
            }
            finally
            {
                _collecting = null;
            }

            return PrometheusRenderer.Render(_families.Values, samples);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!ReferenceEquals(instrument.Meter, _meter))
        {
            return;
        }

        if (PrometheusFamily.From(instrument) is not { } family)
        {
            _logger.InstrumentNotExported(instrument.Name, instrument.GetType().Name);
            return;
        }

        lock (_scrapeGate)
        {
            _families[instrument] = family;
        }

        listener.EnableMeasurementEvents(instrument);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        lock (_scrapeGate)
        {
            _families.Remove(instrument);
        }
    }

    private void Collect(Instrument instrument, string value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Only scrapes call RecordObservableInstruments, under _scrapeGate, on this thread.
        if (_collecting is { } samples && _families.TryGetValue(instrument, out var family))
        {
            samples.Add(new PrometheusSeries(family, PrometheusRenderer.LabelText(tags), value));
        }
    }
}
