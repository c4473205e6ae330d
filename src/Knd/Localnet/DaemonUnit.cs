using System.Diagnostics;
using System.Globalization;

namespace Knd.Localnet;

/// <summary>
/// One <c>knd run</c> under the localnet's emulated service manager: started through
/// <see cref="ChildLauncher"/>, its output appended to <c>node-N/knd.log</c>, watched through its own
/// <see cref="NotifySocket"/>, killed with everything below it when it stops pinging the watchdog,
/// and restarted after a second when it exits (<c>Restart=always</c>), unless its host was killed.
/// </summary>
internal sealed partial class DaemonUnit : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _knd;
    private readonly IReadOnlyList<string> _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ChildLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private Process? _process;
    private TaskCompletionSource<int> _exited = new();
    private long _startedAt;
    private long _restartAt;
    private bool _noNotifyReported;

    public DaemonUnit(
        NodeLayout layout,
        UnitSettings settings,
        string knd,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        ChildLauncher launcher,
        TimeProvider time,
        Action<string> report)
    {
        Layout = layout;
        Settings = settings;
        _knd = knd;
        _arguments = arguments;
        _environment = environment;
        _launcher = launcher;
        _time = time;
        _report = report;
        var abstractName = string.Create(CultureInfo.InvariantCulture, $"knd-localnet/{Environment.ProcessId}/{layout.NodeId}");
        Notify = new NotifySocket(Path.Combine(layout.Dir, "notify.sock"), abstractName, time);
    }

    public NodeLayout Layout { get; }

    public string NodeId => Layout.NodeId;

    public UnitSettings Settings { get; }

    public NotifySocket Notify { get; }

    public UnitState State { get; private set; }

    /// <summary>knd's pid while it runs.</summary>
    public int? Pid => State is UnitState.Running or UnitState.Stopping && _process is { } p && !_exited.Task.IsCompleted ? p.Id : null;

    /// <summary>The exporter address knd logged at start (<c>knd exporter listening on ...</c>).</summary>
    public Uri? Exporter { get; private set; }

    /// <summary>Set by the fault injector while knd is SIGSTOPped, for the table.</summary>
    public bool Frozen { get; set; }

    public int Starts { get; private set; }

    public int WatchdogKills { get; private set; }

    public DateTimeOffset? LastWatchdogKill { get; private set; }

    /// <summary>Processes (neards) still running a while after their knd died: each breaks contract §4.5.</summary>
    public int Orphans { get; private set; }

    /// <summary>Why the unit is <see cref="UnitState.Failed"/>.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Starts knd (again). Its host comes back if it was down.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StartLockedAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One step of the service manager: exits, watchdog, restarts. Called every few tens of ms.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken))
        {
            return;
        }

        try
        {
            await TickLockedAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TickLockedAsync()
    {
        var now = _time.GetTimestamp();
        switch (State)
        {
            case UnitState.Running when _exited.Task.IsCompleted:
                await OnUnexpectedExitAsync(_exited.Task.Result);
                break;
            // As systemd, no watchdog once knd said STOPPING=1: its shutdown may outlast the pings.
            case UnitState.Running when Settings.Watchdog > TimeSpan.Zero && !Notify.Stopping && WatchdogArmedSince() is { } since && _time.GetElapsedTime(since, now) >= Settings.Watchdog:
                WatchdogKills++;
                LastWatchdogKill = _time.GetUtcNow();
                var silent = _time.GetElapsedTime(since, now);
                await KillGroupLockedAsync($"watchdog: no WATCHDOG=1 for {silent.TotalSeconds:0.0} s (WATCHDOG_USEC {Settings.Watchdog.TotalSeconds:0.0#} s)", UnitState.Restarting);
                break;
            case UnitState.Running when !Notify.HeardFrom && !_noNotifyReported && _time.GetElapsedTime(_startedAt, now) > Settings.NotifyGrace:
                _noNotifyReported = true;
                _report($"{NodeId}: knd sent nothing to NOTIFY_SOCKET within {Settings.NotifyGrace.TotalSeconds:0} s: this knd does not speak sd_notify, so its watchdog is off");
                break;
            case UnitState.Restarting when now >= _restartAt:
                await StartLockedAsync();
                break;
        }
    }

    /// <summary>The watchdog runs from the first notification (READY=1 or WATCHDOG=1), systemd's TimeoutStartSec covering the start before it.</summary>
    private long? WatchdogArmedSince()
    {
        var last = Math.Max(Notify.LastWatchdog, Notify.ReadyAt);
        return last == 0 ? null : last;
    }

    private async Task StartLockedAsync()
    {
        if (State is UnitState.Running or UnitState.Stopping)
        {
            return;
        }

        Notify.Reset();
        Exporter = null;
        Frozen = false;
        _noNotifyReported = false;
        var info = _launcher.CreateStartInfo(_knd, _arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Layout.Dir;
        foreach (var key in info.Environment.Keys.Where(IsManagerVariable).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["NOTIFY_SOCKET"] = Notify.Address;
        if (Settings.Watchdog > TimeSpan.Zero)
        {
            info.Environment["WATCHDOG_USEC"] = ((long)Settings.Watchdog.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        }

        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        process.Exited += (_, _) => exited.TrySetResult(ExitCodeOf(process));
        await _launcher.StartAsync(process);
        _process?.Dispose();
        _process = process;
        _exited = exited;
        _startedAt = _time.GetTimestamp();
        Starts++;
        State = UnitState.Running;
        WriteLogMarker($"start #{Starts}: knd pid {process.Id}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static int ExitCodeOf(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static bool IsManagerVariable(string name) =>
        name.StartsWith("KND_", StringComparison.Ordinal) || name.StartsWith("KUUTAMO_", StringComparison.Ordinal)
        || name.StartsWith("WATCHDOG_", StringComparison.Ordinal) || name.StartsWith("LISTEN_", StringComparison.Ordinal)
        || name is "NOTIFY_SOCKET" or "CREDENTIALS_DIRECTORY" or "JOURNAL_STREAM" or "INVOCATION_ID" or "NEARD_SIM_LEDGER";

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        Notify.Dispose();
        _process?.Dispose();
        CloseLog();
    }
}
