using Knd.Neard;

namespace Knd.Switchover;

/// <summary>When a planned handover may start without this validator missing a duty.</summary>
internal static class HandoverWindow
{
    /// <summary>
    /// True when <paramref name="head"/> lies in a duty-free window with at least
    /// <paramref name="neededHeights"/> heights left after it: the old leader can stop now and the
    /// new one is signing before the window ends. The head itself must be duty-free too: the
    /// signature for the height that just became the head may not be written yet, and stopping
    /// neard then loses it (the chaos benchmark caught exactly that miss).
    /// </summary>
    public static bool Fits(IReadOnlyList<BlockRange> windows, long head, long neededHeights) =>
        windows.Any(w => w.Contains(head) && w.End - (head + 1) >= neededHeights);

    /// <summary>
    /// The first height at or after <paramref name="head"/> where <see cref="Fits"/> holds, or null
    /// when no known window is long enough: what <c>knd switchover --wait</c> shows the operator.
    /// </summary>
    public static long? Next(IReadOnlyList<BlockRange> windows, long head, long neededHeights)
    {
        long? next = null;
        foreach (var w in windows)
        {
            var first = Math.Max(w.Start, head);
            var last = w.End - 1 - neededHeights;
            if (first <= last && (next is null || first < next))
            {
                next = first;
            }
        }

        return next;
    }
}

/// <summary>Estimates the chain's block interval from successive head heights (neard does not report it).</summary>
internal sealed class BlockRate
{
    private const int Samples = 20;
    private readonly Queue<(long Height, long Timestamp)> _samples = new();
    private TimeProvider? _time;

    public void Observe(long height, long timestamp, TimeProvider time)
    {
        _time = time;
        if (_samples.Count > 0 && _samples.Last().Height == height)
        {
            return;
        }

        _samples.Enqueue((height, timestamp));
        while (_samples.Count > Samples)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>The mean interval over the samples, once the head has advanced at least three blocks.</summary>
    public TimeSpan? Interval
    {
        get
        {
            if (_time is null || _samples.Count < 2)
            {
                return null;
            }

            var (firstHeight, firstTime) = _samples.Peek();
            var (lastHeight, lastTime) = _samples.Last();
            var blocks = lastHeight - firstHeight;
            if (blocks < 3)
            {
                return null;
            }

            var elapsed = _time.GetElapsedTime(firstTime, lastTime);
            return elapsed / blocks;
        }
    }
}
