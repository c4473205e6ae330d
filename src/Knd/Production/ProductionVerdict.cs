using System.Globalization;

namespace Knd.Production;

/// <summary>
/// The production watch's verdict on this node's signing, in one word for its member record and
/// <c>knd list</c> (docs/cli.md): <c>producing</c>, <c>missing N</c>, <c>not-producing</c> or <c>unknown</c>.
/// It reads the snapshot's <see cref="ProductionView"/> (the validator account's KIRA counters, whoever
/// signs) only while this node validates, since then the account's duties are its own.
/// </summary>
internal static class ProductionVerdict
{
    public const string Producing = "producing";
    public const string NotProducing = "not-producing";
    public const string Unknown = "unknown";
    private const string MissingPrefix = "missing ";

    /// <summary>
    /// <c>unknown</c> on a passive (it signs nothing) and while the chain watch has looked at no duty;
    /// <c>not-producing</c> once the leader is judged silent (mischance past <c>--max-mischance</c>, the
    /// status row <c>not producing</c>); <c>missing N</c> after N missed duty heights in a row (confidence
    /// plus mischance); <c>producing</c> when the last duty looked at was produced.
    /// </summary>
    public static string Of(SupervisorSnapshot snapshot)
    {
        if (snapshot.State != SupervisorState.Validating || snapshot.Production is not { ScannedHeight: not null } production)
        {
            return Unknown;
        }

        if (production.NotProducing)
        {
            return NotProducing;
        }

        var missing = production.Confidence + production.Mischance;
        return missing > 0 ? Missing(missing) : production.Produced > 0 ? Producing : Unknown;
    }

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
