namespace NeardSim.Chain;

/// <summary>A half-open range of heights [Start, End) with no block duty.</summary>
internal readonly record struct HeightRange(long Start, long End);

/// <summary>nearcore's get_maintenance_windows: duty-free runs from the head (inclusive) to the epoch end.</summary>
internal static class MaintenanceWindows
{
    public static IReadOnlyList<HeightRange> Compute(long head, long epochEnd, Func<long, bool> hasDuty)
    {
        var windows = new List<HeightRange>();
        long? start = null;
        for (var h = head; h < epochEnd; h++)
        {
            if (hasDuty(h))
            {
                if (start is { } s)
                {
                    windows.Add(new HeightRange(s, h));
                    start = null;
                }
            }
            else
            {
                start ??= h;
            }
        }

        if (start is { } open)
        {
            windows.Add(new HeightRange(open, epochEnd));
        }

        return windows;
    }
}
