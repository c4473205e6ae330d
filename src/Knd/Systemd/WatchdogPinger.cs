using Knd.Supervision;

namespace Knd.Systemd;

/// <summary>
/// Sends <c>WATCHDOG=1</c> every <c>WATCHDOG_USEC/2</c>, but only while the supervision loop
/// ticks (contract §4.5): a frozen or stuck loop stops the pings and the service manager kills knd
/// and, with <c>KillMode=control-group</c>, its neard. On the same beat it sends
/// <c>STATUS=&lt;state&gt;</c> when the supervisor's state changed since the last beat.
/// </summary>
/// <remarks>
/// The bound on the loop's silence is the ping period itself. The loop ticks every
/// <c>TickInterval</c> (250 ms at the defaults), so a healthy loop is far inside it, and a loop
/// silent for longer is dead by <c>last tick + period + WATCHDOG_USEC = last tick + 1.5 × WATCHDOG_USEC</c>:
/// at its last tick the leader had renewed within <c>FenceAfter</c>, so its neard dies by
/// <c>t_r + FenceAfter + TickInterval + 1.5 × WatchdogSec</c> (8.25 s with the defaults and the
/// shipped <c>WatchdogSec=2s</c>), below the TTL (<see cref="FailoverTimings.CheckWatchdog"/>). No ping is sent
/// before the loop's first tick, which is also when <c>READY=1</c> is sent.
/// </remarks>
internal sealed class WatchdogPinger
{
    private readonly SystemdNotifier _notifier;
    private readonly SupervisorStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private string? _lastStatus;
    private bool _withholding;
    private long _beats;
    private long _pings;

    /// <summary><paramref name="timings"/>: the period without a watchdog and the pre-lock tick bound; null means <see cref="FailoverTimings.Defaults"/>.</summary>
    public WatchdogPinger(SystemdNotifier notifier, SupervisorStatus status, TimeProvider timeProvider, ILogger logger, FailoverTimings? timings = null)
    {
        var values = timings ?? FailoverTimings.Defaults;
        PreLockTickBound = values.WatchdogPreLockTickBound;
        _notifier = notifier;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger;
        Period = notifier.WatchdogPingPeriod ?? values.WatchdogStatusOnlyPeriod;
    }

    /// <summary>Time between beats: <c>WATCHDOG_USEC/2</c>, or <see cref="FailoverTimings.WatchdogStatusOnlyPeriod"/> without a watchdog.</summary>
    public TimeSpan Period { get; }

    /// <summary>How long the loop may be silent while knd cannot hold the lock (<see cref="FailoverTimings.WatchdogPreLockTickBound"/>).</summary>
    public TimeSpan PreLockTickBound { get; }

    /// <summary>A ping is sent only if the loop ticked less than this long ago (= <see cref="Period"/>), from Voting on.</summary>
    public TimeSpan TickBound => Period;

    /// <summary>Beats performed so far (tests wait on it).</summary>
    public long Beats => Interlocked.Read(ref _beats);

    /// <summary><c>WATCHDOG=1</c> datagrams sent so far.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary>The <c>STATUS=</c> text for a snapshot: the state, and whether failover is paused.</summary>
    public static string StatusText(SupervisorSnapshot? snapshot) => snapshot switch
    {
        null => nameof(SupervisorState.Startup),
        { Paused: true } => $"{snapshot.State} (failover paused)",
        _ => snapshot.State.ToString(),
    };

    /// <summary>Beats now and then every <see cref="Period"/> until cancelled; returns at once when notifications are off.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_notifier.IsEnabled)
        {
            return;
        }

        if (_notifier.WatchdogPingPeriod is not null)
        {
            _logger.WatchdogEnabled(Period.TotalMilliseconds, TickBound.TotalMilliseconds);
        }

        // Created before the first beat, so a period that elapses during it is not lost.
        using var timer = new PeriodicTimer(Period, _timeProvider);
        Beat();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Beat();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One beat: <c>STATUS=</c> if the state changed, then <c>WATCHDOG=1</c> if the loop is alive.
    /// Not thread-safe: <see cref="RunAsync"/> is its only caller in the daemon.
    /// </summary>
    public void Beat()
    {
        var status = StatusText(_status.Snapshot);
        if (status != _lastStatus && _notifier.Status(status))
        {
            _lastStatus = status;
        }

        if (_notifier.WatchdogPingPeriod is not null)
        {
            PingIfTicking();
        }

        Interlocked.Increment(ref _beats);
    }

    /// <summary>From Voting on knd may hold the lock (and give neard the key); before it, never.</summary>
    private static bool CanHoldLock(SupervisorSnapshot? snapshot) =>
        snapshot is null || snapshot.State is not (SupervisorState.Startup or SupervisorState.Syncing or SupervisorState.Registering);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void PingIfTicking()
    {
        // The first tick does knd's start-up work (reaping, preparing the neard home) and can take
        // seconds on a busy host. READY=1 waits for it, and so do the pings: the watchdog is armed
        // only from a loop in its steady beat, and TimeoutStartSec covers the start-up.
        if (!_status.HasTicked)
        {
            return;
        }

        var sinceTick = _status.SinceLastTick;
        var bound = CanHoldLock(_status.Snapshot) ? TickBound : Max(TickBound, PreLockTickBound);
        if (sinceTick >= bound)
        {
            if (!_withholding)
            {
                _withholding = true;
                _logger.WatchdogWithheld(sinceTick.TotalMilliseconds);
            }

            return;
        }

        if (_withholding)
        {
            _withholding = false;
            _logger.WatchdogResumed();
        }

        if (_notifier.Watchdog())
        {
            Interlocked.Increment(ref _pings);
        }
    }
}
