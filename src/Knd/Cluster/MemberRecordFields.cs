using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Knd.Cluster;

/// <summary>
/// The member record's informational fields (<c>renewed_at</c>, <c>production</c>): how knd writes
/// them and how it reads what another host (or a person with the KV editor) wrote.
/// </summary>
internal static partial class MemberRecordFields
{
    /// <summary>RFC 3339 in UTC with milliseconds, e.g. <c>2025-03-04T10:11:12.345Z</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// An RFC 3339 time (any offset, any fraction), or null for anything else: .NET's general parser
    /// would also take local forms such as <c>3/4/2025</c>, read in this host's time zone.
    /// </summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        text is not null && Rfc3339().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}

/// <summary>
/// The words of the member record's <c>production</c> verdict (docs/cli.md, <c>knd list</c>): <c>producing</c>,
/// <c>missing N</c>, <c>not-producing</c> or <c>unknown</c>; the production watch picks one
/// (<c>ProductionVerdict</c> in Production), and this reads what another host wrote.
/// </summary>
internal static class MemberProduction
{
    public const string Producing = "producing";
    public const string NotProducing = "not-producing";
    public const string Unknown = "unknown";
    private const string MissingPrefix = "missing ";

    /// <summary><c>missing N</c>: N duty heights missed in a row.</summary>
    public static string Missing(long count) => MissingPrefix + count.ToString(CultureInfo.InvariantCulture);

    /// <summary>A verdict as another host wrote it: one of the forms above, else (absent, bad, from a newer knd) <c>unknown</c>.</summary>
    public static string Read(string? written) =>
        written is Producing or NotProducing or Unknown ? written
        : written is not null && written.StartsWith(MissingPrefix, StringComparison.Ordinal)
            && long.TryParse(written.AsSpan(MissingPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? Missing(count)
            : Unknown;

    /// <summary>The verdict without its count: <c>missing 3</c> becoming <c>missing 4</c> is not worth a write of its own.</summary>
    public static string? Kind(string? verdict) =>
        verdict is not null && verdict.StartsWith(MissingPrefix, StringComparison.Ordinal) ? MissingPrefix.TrimEnd() : verdict;
}

/// <summary>
/// Reads a string field that only informs people (never the lock): a value of another JSON type
/// reads as null instead of failing the whole record, which would drop the member from the
/// switchover and step-down choices for a field they do not use.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
