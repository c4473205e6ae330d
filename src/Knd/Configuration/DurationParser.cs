using System.Globalization;
using System.Text;

namespace Knd.Configuration;

/// <summary>
/// Go-style durations, as Consul and kuutamod's operators write them: "500ms", "10s", "1m30s",
/// "1.5h". A unit is required (only "0" may stand alone, as in Go); negative values are refused.
/// </summary>
internal static class DurationParser
{
    private const string Units = "ns, us, ms, s, m, h";

    private static readonly (string Unit, decimal Ticks)[] UnitTicks =
    [
        ("ns", 0.01m),
        ("us", 10m),
        ("µs", 10m),
        ("μs", 10m),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="problem"/> says why, quoting the text.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? problem)
    {
        value = TimeSpan.Zero;
        problem = null;
        var quoted = ValueText.Quote(text);
        var s = text.Trim();
        if (s.Length == 0)
        {
            problem = "empty duration; write e.g. \"10s\"";
            return false;
        }

        if (s.StartsWith('-'))
        {
            problem = $"{quoted} is negative; a duration must be 0 or more";
            return false;
        }

        s = s.TrimStart('+');
        if (s == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                problem = $"malformed duration {quoted}: expected a number followed by a unit ({Units}), e.g. \"10s\"";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            if (unit.Length == 0)
            {
                problem = $"malformed duration {quoted}: a unit is required ({Units}), e.g. \"{s}s\"";
                return false;
            }

            var match = Array.FindIndex(UnitTicks, u => u.Unit == unit);
            if (match < 0)
            {
                problem = $"malformed duration {quoted}: unknown unit {ValueText.Quote(unit)} (use {Units})";
                return false;
            }

            try
            {
                ticks += number * UnitTicks[match].Ticks;
            }
            catch (OverflowException)
            {
                ticks = decimal.MaxValue;
            }

            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                problem = $"duration {quoted} is out of range";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Floor(ticks));
        return true;
    }

    /// <summary>Formats like Go, compactly: "500ms", "10s", "1m30s", "24h".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (value.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        if (seconds > 0)
        {
            text.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        }

        return text.ToString();
    }
}
