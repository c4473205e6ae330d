using System.Globalization;
using System.Text;

namespace Knd.Neard;

/// <summary>One sample of a Prometheus text exposition: <c>name{labels} value</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A small parser of the Prometheus text format 0.0.4, enough to read a few of neard's metrics.
/// Comments and blank lines are skipped; so is a line that does not parse (counted), so one odd
/// series of the hundreds neard exports cannot hide the few knd reads.
/// </summary>
internal static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text, out int skippedLines)
    {
        var samples = new List<PrometheusSample>();
        skippedLines = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryParseLine(line, out var sample))
            {
                samples.Add(sample);
            }
            else
            {
                skippedLines++;
            }
        }

        return samples;
    }

    private static bool TryParseLine(string line, out PrometheusSample sample)
    {
        sample = null!;
        var position = 0;
        while (position < line.Length && IsNameChar(line[position], position == 0))
        {
            position++;
        }

        if (position == 0)
        {
            return false;
        }

        var name = line[..position];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        SkipSpaces(line, ref position);
        if (position < line.Length && line[position] == '{' && !TryParseLabels(line, ref position, labels))
        {
            return false;
        }

        var rest = line[position..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2 || !TryParseValue(rest[0], out var value))
        {
            return false;
        }

        sample = new PrometheusSample(name, labels, value);
        return true;
    }

    private static bool TryParseLabels(string line, ref int position, Dictionary<string, string> labels)
    {
        position++; // '{'
        while (true)
        {
            SkipSpaces(line, ref position);
            if (position < line.Length && line[position] == '}')
            {
                position++;
                return true;
            }

            var start = position;
            while (position < line.Length && IsNameChar(line[position], position == start) && line[position] != ':')
            {
                position++;
            }

            var labelName = line[start..position];
            SkipSpaces(line, ref position);
            if (labelName.Length == 0 || position >= line.Length || line[position] != '=')
            {
                return false;
            }

            position++;
            SkipSpaces(line, ref position);
            if (!TryParseQuoted(line, ref position, out var labelValue))
            {
                return false;
            }

            labels[labelName] = labelValue;
            SkipSpaces(line, ref position);
            if (position < line.Length && line[position] == ',')
            {
                position++;
            }
            else if (position >= line.Length || line[position] != '}')
            {
                return false;
            }
        }
    }

    private static bool TryParseQuoted(string line, ref int position, out string value)
    {
        value = string.Empty;
        if (position >= line.Length || line[position] != '"')
        {
            return false;
        }

        var builder = new StringBuilder();
        for (position++; position < line.Length; position++)
        {
            var c = line[position];
            if (c == '"')
            {
                position++;
                value = builder.ToString();
                return true;
            }

            if (c == '\\' && position + 1 < line.Length)
            {
                position++;
                builder.Append(line[position] == 'n' ? '\n' : line[position]);
            }
            else
            {
                builder.Append(c);
            }
        }

        return false;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (!first && c is >= '0' and <= '9');

    private static void SkipSpaces(string line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t')
        {
            position++;
        }
    }
}
