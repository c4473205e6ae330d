using System.Globalization;
using Knd.Consul;

namespace Knd.DevConsul;

/// <summary>The blocking and consistency parameters of a read (<c>parseConsistency</c> and <c>parseWait</c>).</summary>
internal sealed record ReadQuery(ulong MinIndex, TimeSpan Wait, string? Consistency)
{
    /// <summary>Consul's <c>default_query_time</c>.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);

    /// <summary>Consul's <c>max_query_time</c>.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public bool IsStale => Consistency == "stale";

    /// <summary>Parses the query string; returns the 400 answer when it is invalid.</summary>
    public static DevResponse? TryParse(IQueryCollection query, out ReadQuery parsed)
    {
        parsed = new ReadQuery(0, DefaultWait, null);
        var stale = query.ContainsKey("stale");
        var consistent = query.ContainsKey("consistent");
        if (stale && consistent)
        {
            return DevResponse.Text(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
        }

        var wait = DefaultWait;
        if (query["wait"].ToString() is { Length: > 0 } waitText)
        {
            if (!GoDuration.TryParse(waitText, out var nanoseconds, out _))
            {
                return DevResponse.Text(400, "Invalid wait time");
            }

            wait = GoDuration.ToTimeSpan(nanoseconds);
            wait = wait <= TimeSpan.Zero ? DefaultWait : wait > MaxWait ? MaxWait : wait;
        }

        ulong index = 0;
        if (query["index"].ToString() is { Length: > 0 } indexText && !ulong.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return DevResponse.Text(400, "Invalid index");
        }

        parsed = new ReadQuery(index, wait, stale ? "stale" : consistent ? "consistent" : null);
        return null;
    }
}
