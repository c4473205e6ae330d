using Knd.Neard;

namespace Knd.Maintenance;

/// <summary>
/// The outcome of <see cref="MaintenanceWindowChooser.Choose"/>: a shutdown height inside a
/// duty-free window, or a one-line refusal saying why and what would work.
/// </summary>
internal sealed record WindowChoice(long? ShutdownAt, BlockRange? Window, string? Refusal)
{
    public bool Ok => Refusal is null;

    /// <summary>The heights left in the window from the shutdown height on (0 when refused).</summary>
    public long Downtime => ShutdownAt is { } at && Window is { } window ? window.End - at : 0;

    public static WindowChoice Chosen(long shutdownAt, BlockRange window) => new(shutdownAt, window, null);

    public static WindowChoice Refused(string reason) => new(null, null, reason);
}
