using Knd.Control;
using Knd.Neard;

namespace Knd.Hosting;

/// <summary>Adapts the control request to the window choice rules (see docs/cli.md).</summary>
internal static class MaintenanceChooser
{
    /// <summary>Heights left between now and the shutdown, for the reload to be applied (kuutamod used 2).</summary>
    internal const long Margin = 2;

    public static MaintenanceChoice Choose(long head, IReadOnlyList<BlockRange> windows, MaintenanceRequest request)
    {
        var usable = windows
            .Select(w => new BlockRange(Math.Max(w.Start, head + Margin), w.End))
            .Where(w => w.End > w.Start)
            .ToList();
        if (request.ShutdownAt is { } at)
        {
            if (at <= head + Margin)
            {
                return new MaintenanceChoice(null, null, $"height {at} is too close or already passed (current height {head})");
            }

            var inside = usable.FirstOrDefault(w => w.Contains(at));
            return inside.End > 0
                ? new MaintenanceChoice(at, inside, null)
                : new MaintenanceChoice(null, null, $"height {at} is inside a block production duty of this validator");
        }

        if (usable.Count == 0)
        {
            return new MaintenanceChoice(null, null, "no duty-free window left in this epoch; try again in the next epoch");
        }

        BlockRange chosen;
        if (request.MinimumLength is { } length and > 0)
        {
            chosen = usable.FirstOrDefault(w => w.Length >= length);
            if (chosen.End == 0)
            {
                return new MaintenanceChoice(null, null, $"no duty-free window of at least {length} blocks left in this epoch (longest: {usable.Max(w => w.Length)})");
            }
        }
        else
        {
            chosen = usable.OrderByDescending(w => w.Length).ThenBy(w => w.Start).First();
        }

        return new MaintenanceChoice(chosen.Start, chosen, null);
    }
}
