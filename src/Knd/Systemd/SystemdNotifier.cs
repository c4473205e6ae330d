using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Knd.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: each notification is one datagram to <c>$NOTIFY_SOCKET</c>.
/// A no-op when the variable is unset (not started by systemd with <c>Type=notify</c>).
/// Thread-safe; a failed send is logged once per failure streak and never throws.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly ILogger _logger;
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private bool _failing;
    private bool _disposed;

    /// <param name="environment">Reads an environment variable (injectable for tests).</param>
    /// <param name="processId">This process's pid, compared with <c>WATCHDOG_PID</c>.</param>
    /// <param name="logger">Where configuration problems and send failures go.</param>
    public SystemdNotifier(Func<string, string?> environment, int processId, ILogger logger)
    {
        _logger = logger;
        var socketPath = environment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socketPath))
        {
            NoWatchdogReason = "NOTIFY_SOCKET is not set";
            return;
        }

        SocketPath = socketPath;
        _endPoint = ParseEndPoint(socketPath, logger);
        if (_endPoint is null)
        {
            NoWatchdogReason = "NOTIFY_SOCKET is not usable";
            return;
        }

        var usec = environment("WATCHDOG_USEC");
        WatchdogInterval = ParseWatchdog(usec, environment("WATCHDOG_PID"), processId, logger);
        if (WatchdogInterval is null)
        {
            NoWatchdogReason = string.IsNullOrEmpty(usec) ? "WATCHDOG_USEC is not set" : "WATCHDOG_USEC is not usable";
        }
    }

    /// <summary>Whether notifications go anywhere (<c>NOTIFY_SOCKET</c> is set and usable).</summary>
    public bool IsEnabled => _endPoint is not null;

    /// <summary>The <c>NOTIFY_SOCKET</c> value, for logs.</summary>
    public string? SocketPath { get; }

    /// <summary>
    /// <c>WATCHDOG_USEC</c>, when the service manager expects pings from this process; null when
    /// there is no watchdog, or it watches another pid (<c>WATCHDOG_PID</c>).
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Why there is no watchdog (for the start-up warning), or null when there is one.</summary>
    public string? NoWatchdogReason { get; }

    /// <summary>Half the watchdog interval, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan? WatchdogPingPeriod => WatchdogInterval / 2;

    /// <summary>
    /// The notifier of this process. Like sd_notify's <c>unset_environment</c>, it then removes
    /// <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> from the environment, so
    /// neard (started later) cannot inherit them and ping the watchdog on a frozen knd's behalf.
    /// </summary>
    public static SystemdNotifier FromProcess(ILogger logger)
    {
        var notifier = new SystemdNotifier(Environment.GetEnvironmentVariable, Environment.ProcessId, logger);
        foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"])
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        return notifier;
    }

    /// <summary><c>READY=1</c>: start-up finished (send once the exporter listens).</summary>
    public bool Ready() => Notify("READY=1");

    /// <summary><c>STATUS=...</c>: one line shown by <c>systemctl status</c>.</summary>
    public bool Status(string text) => Notify("STATUS=" + text.ReplaceLineEndings(" "));

    public bool Watchdog() => Notify("WATCHDOG=1");

    /// <summary><c>STOPPING=1</c>: shutdown began.</summary>
    public bool Stopping() => Notify("STOPPING=1");

    /// <summary>Sends one notification (newline-separated assignments); false when it was not delivered.</summary>
    public bool Notify(string state)
    {
        if (_endPoint is null)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(state);
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            try
            {
                // Non-blocking: a full receive queue drops a datagram instead of stalling the caller.
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
                _socket.SendTo(bytes, SocketFlags.None, _endPoint);
                if (_failing)
                {
                    _failing = false;
                    _logger.NotifyRecovered(SocketPath!);
                }

                return true;
            }
            catch (SocketException e)
            {
                if (!_failing)
                {
                    _failing = true;
                    _logger.NotifyFailed(SocketPath!, FirstLine(state), e.Message);
                }

                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }

    private static string FirstLine(string state) => state.Split('\n', 2)[0];

    private static UnixDomainSocketEndPoint? ParseEndPoint(string value, ILogger logger)
    {
        if (value[0] is not ('/' or '@'))
        {
            logger.NotifySocketUnsupported(value);
            return null;
        }

        try
        {
            // '@' names an abstract socket: its address starts with a NUL byte instead.
            return new UnixDomainSocketEndPoint(value[0] == '@' ? "\0" + value[1..] : value);
        }
        catch (ArgumentException e)
        {
            logger.NotifySocketUnsupported($"{value} ({e.Message})");
            return null;
        }
    }

    private static TimeSpan? ParseWatchdog(string? usec, string? pid, int processId, ILogger logger)
    {
        if (string.IsNullOrEmpty(usec))
        {
            return null;
        }

        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds == 0 || microseconds > (ulong)TimeSpan.MaxValue.TotalMicroseconds)
        {
            logger.WatchdogUsecInvalid(usec);
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            logger.WatchdogForAnotherPid(pid, processId);
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }
}
