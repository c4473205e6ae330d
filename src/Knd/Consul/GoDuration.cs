using System.Globalization;

namespace Knd.Consul;

/// <summary>
/// Go's <c>time.ParseDuration</c> and <c>Duration.String</c>, as Consul parses and prints
/// durations (TTL, LockDelay, wait), including Go's error texts, which Consul passes through.
/// Durations are in nanoseconds, as in Go.
/// </summary>
internal static partial class GoDuration
{
    public const long Nanosecond = 1;
    public const long Microsecond = 1000 * Nanosecond;
    public const long Millisecond = 1000 * Microsecond;
    public const long Second = 1000 * Millisecond;
    public const long Minute = 60 * Second;
    public const long Hour = 60 * Minute;

    private const ulong Overflow = 1UL << 63;

    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    public static long ToNanoseconds(TimeSpan value) => value.Ticks * 100;

    /// <summary>A duration as the Go client sends it: whole seconds as "10s", else "15500ms".</summary>
    public static string ToWire(TimeSpan value)
    {
        var ticks = value.Ticks;
        if (ticks % TimeSpan.TicksPerSecond == 0)
        {
            return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s";
        }

        if (ticks % TimeSpan.TicksPerMillisecond == 0)
        {
            return (ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns";
    }

    /// <summary>Go's <c>time.ParseDuration</c>; <paramref name="error"/> is Go's message.</summary>
    public static bool TryParse(string text, out long nanoseconds, out string error)
    {
        nanoseconds = 0;
        error = string.Empty;
        var invalid = "time: invalid duration " + Quote(text);
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            error = invalid;
            return false;
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = invalid;
                return false;
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                error = invalid;
                return false;
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var fractionStart = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = fractionStart != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                error = invalid;
                return false;
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = "time: missing unit in duration " + Quote(text);
                return false;
            }

            var unitText = s[..unitLength].ToString();
            s = s[unitLength..];
            if (UnitNanoseconds(unitText) is not { } unit)
            {
                error = "time: unknown unit " + Quote(unitText) + " in duration " + Quote(text);
                return false;
            }

            if (whole > Overflow / unit)
            {
                error = invalid;
                return false;
            }

            var value = whole * unit;
            if (fraction > 0)
            {
                value += (ulong)(fraction * (unit / scale));
                if (value > Overflow)
                {
                    error = invalid;
                    return false;
                }
            }

            total += value;
            if (total > Overflow)
            {
                error = invalid;
                return false;
            }
        }

        if (negative)
        {
            nanoseconds = total == Overflow ? long.MinValue : -(long)total;
            return true;
        }

        if (total > Overflow - 1)
        {
            error = invalid;
            return false;
        }

        nanoseconds = (long)total;
        return true;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > Overflow / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > Overflow)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflowed = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflowed)
            {
                continue;
            }

            if (value > (Overflow - 1) / 10)
            {
                overflowed = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > Overflow)
            {
                overflowed = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    private static ulong? UnitNanoseconds(string unit) => unit switch
    {
        "ns" => Nanosecond,
        "us" or "\u00b5s" or "\u03bcs" => Microsecond,
        "ms" => Millisecond,
        "s" => Second,
        "m" => Minute,
        "h" => Hour,
        _ => null,
    };

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
