using Knd.Cluster;

namespace Knd.Production;

/// <summary>
/// The production watch's verdict on this node's signing, in one word (<see cref="MemberProduction"/>)
/// for its member record and <c>knd list</c>. It reads the snapshot's <see cref="ProductionView"/> (the
/// validator account's KIRA counters, whoever signs) only while this node validates, since then the
/// account's duties are its own.
/// </summary>
internal static class ProductionVerdict
{
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
            return MemberProduction.Unknown;
        }

        if (production.NotProducing)
        {
            return MemberProduction.NotProducing;
        }

        var missing = production.Confidence + production.Mischance;
        return missing > 0 ? MemberProduction.Missing(missing) : production.Produced > 0 ? MemberProduction.Producing : MemberProduction.Unknown;
    }
}
