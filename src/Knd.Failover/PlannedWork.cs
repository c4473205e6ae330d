namespace Knd.Failover;

/// <summary>How a passive becomes the validator (<c>--promotion</c>).</summary>
internal enum PromotionMode
{
    /// <summary>Restart neard with the validator key and validator node key.</summary>
    Restart,

    /// <summary>Place the validator key and send SIGHUP (nearcore >= 2.0 hot swap).</summary>
    HotSwap,
}

/// <summary>What knd does once neard has stopped at its maintenance height.</summary>
internal enum MaintenanceKind
{
    Shutdown,
    Restart,
}
