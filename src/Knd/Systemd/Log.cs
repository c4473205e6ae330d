namespace Knd.Systemd;

/// <summary>systemd integration log events. EventIds 6000-6049 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "sd_notify: NOTIFY_SOCKET {Value} is not a unix socket path or @abstract name; notifications are off")]
    public static partial void NotifySocketUnsupported(this ILogger logger, string value);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "sd_notify: WATCHDOG_USEC {Value} is not a positive number of microseconds; no watchdog pings")]
    public static partial void WatchdogUsecInvalid(this ILogger logger, string value);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "sd_notify: the watchdog is for pid {WatchdogPid}, not this process ({Pid}); no watchdog pings")]
    public static partial void WatchdogForAnotherPid(this ILogger logger, string watchdogPid, int pid);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "sd_notify: sending {Notification} to {Socket} failed: {Error}; further failures are not logged until one succeeds")]
    public static partial void NotifyFailed(this ILogger logger, string socket, string notification, string error);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "sd_notify: notifications to {Socket} work again")]
    public static partial void NotifyRecovered(this ILogger logger, string socket);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "systemd watchdog: pinging every {PeriodMs} ms (WATCHDOG_USEC/2) while the supervision loop ticks within {BoundMs} ms")]
    public static partial void WatchdogEnabled(this ILogger logger, double periodMs, double boundMs);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Critical, Message = "systemd watchdog: the supervision loop has not ticked for {SinceTickMs} ms; withholding WATCHDOG=1 so the service manager kills knd and its neard")]
    public static partial void WatchdogWithheld(this ILogger logger, double sinceTickMs);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "systemd watchdog: the supervision loop ticks again; pings resumed")]
    public static partial void WatchdogResumed(this ILogger logger);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "No service-manager watchdog ({Reason}): if knd freezes, nothing kills its neard, which may then sign next to a new leader; run knd under systemd with WatchdogSec= (deploy/systemd/knd.service) or see docs/operations.md, 'Without systemd'")]
    public static partial void WatchdogMissing(this ILogger logger, string reason);
}
