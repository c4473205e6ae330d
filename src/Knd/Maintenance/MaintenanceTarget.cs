namespace Knd.Maintenance;

/// <summary>
/// What the operator asked for: an explicit height, a minimum window length, or neither (the
/// largest window). At most one of the two is set; a length of 0 means "no minimum", as in kuutamod.
/// </summary>
internal readonly record struct MaintenanceTarget(long? MinimumLength, long? ShutdownAt)
{
    public static MaintenanceTarget Largest => default;

    public static MaintenanceTarget AtLeast(long length) => new(length, null);

    public static MaintenanceTarget At(long height) => new(null, height);
}
