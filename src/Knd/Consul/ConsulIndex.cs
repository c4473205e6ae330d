namespace Knd.Consul;

/// <summary>
/// The blocking-query index rules of Consul (api-docs/features/blocking): an index that goes
/// backwards (snapshot restore, a list losing its newest item) means "start over from 0", and an
/// index below 1 is never valid to wait on.
/// </summary>
internal static class ConsulIndex
{
    /// <summary>
    /// The index to send on the next blocking read after one that returned <paramref name="returned"/>
    /// while waiting on <paramref name="previous"/>. Returns 0 (a non-blocking read) when the index
    /// went backwards or is 0; a loop must rate-limit reads, since 0 never blocks.
    /// </summary>
    public static ulong Next(ulong previous, ulong returned) => returned < previous ? 0 : returned;

    /// <summary>True when <paramref name="returned"/> is lower than <paramref name="previous"/>: reset to 0.</summary>
    public static bool WentBackwards(ulong previous, ulong returned) => returned < previous;
}
