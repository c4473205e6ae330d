using Knd.Neard;

namespace Knd.Maintenance;

/// <summary>
/// Chooses the height at which neard stops for maintenance, from neard's duty-free windows
/// (half-open <c>[start, end)</c>, from the head inclusive to the end of the epoch). Pure: the
/// daemon passes the head, the windows and what the operator asked for. The rules (docs/cli.md):
/// <list type="bullet">
/// <item>No height within <see cref="SafetyMargin"/> of the head is ever chosen: setting
/// <c>expected_shutdown</c> takes a config reload (SIGHUP, applied within about a second), and a
/// height the head passes first makes neard stop at once, wherever the head then is. A window
/// whose end is at or below head + margin has passed; one that began earlier is usable from
/// head + margin on.</item>
/// <item>An explicit height must be at or after head + margin, inside a window and inside this
/// epoch (duties of the next epoch are not known yet).</item>
/// <item>A minimum length L takes the first window with at least L usable heights, and stops at
/// its first usable height.</item>
/// <item>Neither (or L = 0, as in kuutamod) takes the window with the most usable heights, the
/// earliest of equals. kuutamod meant this too, but computed <c>start - end</c> on u64, and the
/// wrap-around made it pick the shortest window.</item>
/// </list>
/// </summary>
internal static class MaintenanceWindowChooser
{
    /// <summary>
    /// Heights between the head and the earliest allowed shutdown: the reload that sets
    /// <c>expected_shutdown</c> must land before the head reaches it (kuutamod used start + 2).
    /// </summary>
    public const long SafetyMargin = 2;

    /// <param name="head">neard's current head height.</param>
    /// <param name="windows">The duty-free windows neard reported; order and empty ones do not matter.</param>
    /// <param name="target">The operator's height or minimum length, or neither.</param>
    /// <param name="epochEnd">The first height of the next epoch, when known (for the messages and the epoch check).</param>
    public static WindowChoice Choose(long head, IReadOnlyList<BlockRange> windows, MaintenanceTarget target, long? epochEnd)
    {
        if (target is { MinimumLength: not null, ShutdownAt: not null })
        {
            return WindowChoice.Refused("give either a minimum length or a shutdown height, not both");
        }

        var usable = Usable(head, windows);
        if (target.ShutdownAt is { } height)
        {
            return ChooseHeight(head, Sorted(windows), usable, height, epochEnd);
        }

        return target.MinimumLength switch
        {
            < 0 and { } negative => Refuse($"the minimum length {negative} is negative"),
            > 0 and { } length => ChooseFirstLongEnough(usable, length, epochEnd),
            _ => ChooseLargest(usable, epochEnd),
        };
    }

    /// <summary>
    /// For a switchover: the usable part (from head + margin on) of the first window with at least
    /// <paramref name="minimumLength"/> usable heights, or null when this epoch has none.
    /// </summary>
    public static BlockRange? FindNextWindow(long head, IReadOnlyList<BlockRange> windows, long minimumLength)
    {
        foreach (var (_, part) in Usable(head, windows))
        {
            if (part.Length >= Math.Max(1, minimumLength))
            {
                return part;
            }
        }

        return null;
    }

    private static WindowChoice ChooseHeight(long head, List<BlockRange> windows, List<(BlockRange Window, BlockRange Part)> usable, long height, long? epochEnd)
    {
        var earliest = head + SafetyMargin;
        if (height <= head)
        {
            return Refuse($"height {height} has already passed (the head is at {head})");
        }

        if (height < earliest)
        {
            return Refuse($"height {height} is too close to the head ({head}): setting it takes up to {SafetyMargin} heights; choose {earliest} or later");
        }

        if (epochEnd is { } end && height >= end)
        {
            return Refuse($"height {height} is beyond this epoch, which ends at {end}, and the next epoch's duties are not known yet; choose a height before {end} or try again after it");
        }

        foreach (var window in windows)
        {
            if (window.Contains(height))
            {
                return WindowChoice.Chosen(height, window);
            }
        }

        foreach (var (window, _) in usable)
        {
            if (window.Start > height)
            {
                return Refuse($"height {height} is inside a block or chunk production duty; the next duty-free heights are {Format(window)}");
            }
        }

        return Refuse($"height {height} is inside a block or chunk production duty, and no duty-free height follows it in this epoch{After(epochEnd)}");
    }

    private static WindowChoice ChooseFirstLongEnough(List<(BlockRange Window, BlockRange Part)> usable, long length, long? epochEnd)
    {
        foreach (var (window, part) in usable)
        {
            if (part.Length >= length)
            {
                return WindowChoice.Chosen(part.Start, window);
            }
        }

        if (usable.Count == 0)
        {
            return NoWindow(epochEnd);
        }

        var largest = Largest(usable);
        return Refuse($"no duty-free window of at least {length} heights is left in this epoch; the largest has {largest.Part.Length} usable heights, {Format(largest.Part)}; ask for less or try again{After(epochEnd)}");
    }

    private static WindowChoice ChooseLargest(List<(BlockRange Window, BlockRange Part)> usable, long? epochEnd)
    {
        if (usable.Count == 0)
        {
            return NoWindow(epochEnd);
        }

        var (window, part) = Largest(usable);
        return WindowChoice.Chosen(part.Start, window);
    }

    /// <summary>The most usable heights; the earliest of equals (the list is sorted by start).</summary>
    private static (BlockRange Window, BlockRange Part) Largest(List<(BlockRange Window, BlockRange Part)> usable)
    {
        var best = usable[0];
        foreach (var candidate in usable)
        {
            if (candidate.Part.Length > best.Part.Length)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Each window that has not passed, with its part from head + margin on, sorted by start.</summary>
    private static List<(BlockRange Window, BlockRange Part)> Usable(long head, IReadOnlyList<BlockRange> windows)
    {
        var earliest = head + SafetyMargin;
        var usable = new List<(BlockRange, BlockRange)>();
        foreach (var window in Sorted(windows))
        {
            if (window.End > earliest)
            {
                usable.Add((window, new BlockRange(Math.Max(window.Start, earliest), window.End)));
            }
        }

        return usable;
    }

    private static List<BlockRange> Sorted(IReadOnlyList<BlockRange> windows) =>
        windows.Where(w => w.End > w.Start).OrderBy(w => w.Start).ToList();

    private static WindowChoice NoWindow(long? epochEnd) =>
        epochEnd is { } end
            ? Refuse($"no duty-free window left in this epoch; try again after height {end} (the epoch end)")
            : Refuse("no duty-free window left in this epoch; try again in the next epoch");

    private static string After(long? epochEnd) => epochEnd is { } end ? $" after height {end} (the epoch end)" : " in the next epoch";

    /// <summary>A window as neard reports it, half-open, with its heights spelled out.</summary>
    public static string Format(BlockRange window) =>
        window.Length == 1
            ? $"[{window.Start}, {window.End}) (height {window.Start})"
            : $"[{window.Start}, {window.End}) (heights {window.Start} to {window.End - 1})";

    private static WindowChoice Refuse(string reason) => WindowChoice.Refused(reason);
}
