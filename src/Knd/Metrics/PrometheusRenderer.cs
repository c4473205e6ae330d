using System.Globalization;
using System.Text;

namespace Knd.Metrics;

/// <summary>Writes families and samples in the Prometheus text format 0.0.4.</summary>
internal static class PrometheusRenderer
{
    /// <summary>
    /// Families sorted by name (ordinal), each with <c># HELP</c> and <c># TYPE</c> even when it has
    /// no series; series sorted by their label text. A label set seen twice keeps the last value,
    /// since Prometheus rejects a scrape with duplicate series.
    /// </summary>
    public static string Render(IEnumerable<PrometheusFamily> families, IReadOnlyList<PrometheusSeries> samples)
    {
        var seriesByFamily = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        var familiesByName = new SortedDictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            familiesByName.TryAdd(family.Name, family);
        }

        foreach (var sample in samples)
        {
            familiesByName.TryAdd(sample.Family.Name, sample.Family);
            if (!seriesByFamily.TryGetValue(sample.Family.Name, out var series))
            {
                series = new SortedDictionary<string, string>(StringComparer.Ordinal);
                seriesByFamily[sample.Family.Name] = series;
            }

            series[sample.Labels] = sample.Value;
        }

        var builder = new StringBuilder(4096);
        foreach (var (name, family) in familiesByName)
        {
            builder.Append(CultureInfo.InvariantCulture, $"# HELP {name} {PrometheusFormat.EscapeHelp(family.Help)}\n");
            builder.Append(CultureInfo.InvariantCulture, $"# TYPE {name} {family.TypeText}\n");
            if (seriesByFamily.TryGetValue(name, out var series))
            {
                foreach (var (labels, value) in series)
                {
                    builder.Append(name).Append(labels).Append(' ').Append(value).Append('\n');
                }
            }
        }

        return builder.ToString();
    }

    /// <summary><c>{name="value",...}</c> in the order given, or empty for no labels.</summary>
    public static string LabelText(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var builder = new StringBuilder("{");
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            var value = Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? string.Empty;
            builder.Append(PrometheusFormat.SanitizeLabelName(tags[i].Key))
                .Append("=\"")
                .Append(PrometheusFormat.EscapeLabelValue(value))
                .Append('"');
        }

        return builder.Append('}').ToString();
    }
}
