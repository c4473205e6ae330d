using System.Globalization;
using System.Text;

namespace Knd.Metrics;

/// <summary>The escaping and number rules of the Prometheus text format 0.0.4.</summary>
internal static class PrometheusFormat
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>A label value inside double quotes: backslash, double quote and line feed are escaped.</summary>
    public static string EscapeLabelValue(string value) => Escape(value, escapeQuote: true);

    /// <summary>A <c># HELP</c> docstring: backslash and line feed are escaped (quotes are not).</summary>
    public static string EscapeHelp(string value) => Escape(value, escapeQuote: false);

    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        // "R" is the shortest text that parses back to the same double; Go's ParseFloat reads it.
        return double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string FormatInteger(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; anything else becomes '_'.</summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>; anything else becomes '_'.</summary>
    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    private static string Escape(string value, bool escapeQuote)
    {
        if (value.AsSpan().IndexOfAny('\\', '\n', '"') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\n' => builder.Append(@"\n"),
                '"' when escapeQuote => builder.Append("\\\""),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var valid = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!valid)
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
