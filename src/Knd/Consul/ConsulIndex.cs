namespace Knd.Consul;

/// <summary>
/// The blocking-query index rules of Consul (api-docs/features/blocking): an index that goes
/// backwards (snapshot restore, a list losing its newest item, a server that lost its state) means
/// "start over from 0", and an index below 1 is never valid to wait on.
/// </summary>
internal static class ConsulIndex
{
    /// <summary>
    /// The largest <c>X-Consul-Index</c> knd believes (2^53). A Raft index grows by one per write: at a
    /// million writes a second Consul would need 285 years to get here. A bigger one (2^64-1 from a
    /// broken proxy, say) would poison a blocking watch: waiting on it, no real answer is ever newer.
    /// </summary>
    public const ulong MaxPlausible = 1UL << 53;

    /// <summary>Whether Consul could have sent <paramref name="index"/>: at least 1 (it never sends 0) and at most <see cref="MaxPlausible"/>.</summary>
    public static bool IsPlausible(ulong index) => index is >= 1 and <= MaxPlausible;

    /// <summary>
    /// The index to send on the next blocking read after one that returned <paramref name="returned"/>
    /// while waiting on <paramref name="previous"/>. Returns 0 (a non-blocking read) when the index
    /// went backwards or is absurd (0, above <see cref="MaxPlausible"/>); a loop must rate-limit reads, since 0 never blocks.
    /// </summary>
    public static ulong Next(ulong previous, ulong returned) => !IsPlausible(returned) || returned < previous ? 0 : returned;

    /// <summary>True when <paramref name="returned"/> is lower than <paramref name="previous"/>: reset to 0.</summary>
    public static bool WentBackwards(ulong previous, ulong returned) => returned < previous;
}
