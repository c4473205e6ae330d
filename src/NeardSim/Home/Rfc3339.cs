using System.Globalization;
using System.Text.RegularExpressions;

namespace NeardSim.Home;

/// <summary>RFC 3339 times as NEAR writes them (up to nanoseconds; .NET keeps 100 ns ticks).</summary>
internal static partial class Rfc3339
{
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        // .NET parses at most 7 fractional digits; nearcore writes 9.
        var trimmed = LongFraction().Replace(text, m => m.Groups[1].Value);
        return DateTimeOffset.TryParseExact(
            trimmed,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal,
            out value);
    }

    /// <summary>ISO-8601 with nanoseconds, as nearcore's latest_block_time.</summary>
    public static string FormatNanos(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    /// <summary>RFC 3339 with milliseconds, as the ledger's time.</summary>
    public static string FormatMillis(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex LongFraction();
}
