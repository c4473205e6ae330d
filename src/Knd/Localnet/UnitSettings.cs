namespace Knd.Localnet;

/// <summary>
/// How the emulated service manager treats every knd unit, the way knd.service configures systemd:
/// <c>WatchdogSec</c>, <c>Restart=always</c> with <c>RestartSec=1s</c>, <c>TimeoutStopSec</c> and
/// <c>KillMode=control-group</c> (a kill reaches knd and every process below it).
/// </summary>
internal sealed record UnitSettings
{
    /// <summary><c>WATCHDOG_USEC</c>; zero turns the watchdog off.</summary>
    public required TimeSpan Watchdog { get; init; }

    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>SIGTERM to SIGKILL on a stop (knd.service: <c>TimeoutStopSec=30s</c>).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a neard may outlive its killed knd before the manager kills it and records that it did.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A knd that never notifies within this long does not speak sd_notify: its watchdog stays off (reported once).</summary>
    public TimeSpan NotifyGrace { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Where a unit is in its life.</summary>
internal enum UnitState
{
    /// <summary>Not started yet, or stopped by the localnet.</summary>
    Stopped,

    Running,

    /// <summary>knd exited or was killed; <c>Restart=always</c> starts it again after the restart delay.</summary>
    Restarting,

    /// <summary>The whole host was killed (a fault): nothing restarts it until the localnet does.</summary>
    HostDown,

    /// <summary>SIGTERM sent; waiting for knd to finish its shutdown.</summary>
    Stopping,

    /// <summary>knd refused its configuration (exit 78): restarting cannot help.</summary>
    Failed,
}
