using System.Globalization;
using System.Text;

namespace Knd.Consul;

internal static partial class GoDuration
{
    /// <summary>Go's <c>Duration.String()</c>: "0s", "1.5ms", "10s", "1m30s", "24h0m0s".</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var text = new StringBuilder();
        if (u < Second)
        {
            var (unit, precision) = u switch
            {
                < Microsecond => ("ns", 0),
                < Millisecond => ("µs", 3),
                _ => ("ms", 6),
            };
            text.Append(FormatFraction(u, precision)).Append(unit);
        }
        else
        {
            var seconds = u / Second;
            var rest = FormatFraction((seconds % 60 * Second) + (u % Second), 9) + "s";
            var minutes = seconds / 60;
            if (minutes > 0)
            {
                rest = (minutes % 60).ToString(CultureInfo.InvariantCulture) + "m" + rest;
                var hours = minutes / 60;
                if (hours > 0)
                {
                    rest = hours.ToString(CultureInfo.InvariantCulture) + "h" + rest;
                }
            }

            text.Append(rest);
        }

        return negative ? "-" + text : text.ToString();
    }

    private static string FormatFraction(ulong value, int precision)
    {
        var divisor = 1UL;
        for (var i = 0; i < precision; i++)
        {
            divisor *= 10;
        }

        var whole = (value / divisor).ToString(CultureInfo.InvariantCulture);
        var fraction = value % divisor;
        if (fraction == 0)
        {
            return whole;
        }

        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        return whole + "." + digits;
    }
}
