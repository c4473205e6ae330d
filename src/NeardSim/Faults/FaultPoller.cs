using NeardSim.Node;

namespace NeardSim.Faults;

/// <summary>
/// Run-time faults: the files sim-rpc-hang, sim-no-sign and sim-crash in the home, and sim.crash_after_ms.
/// sim-crash is deleted before the exit, so a restarted node does not crash again.
/// </summary>
internal sealed class FaultPoller
{
    public const string RpcHangFile = "sim-rpc-hang";
    public const string CrashFile = "sim-crash";
    public const string NoSignFile = "sim-no-sign";
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly NodeState _state;
    private readonly FaultState _faults;
    private readonly ExitController _exit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FaultPoller(NodeState state, FaultState faults, ExitController exit, TimeProvider time, ILogger<FaultPoller> logger)
    {
        _state = state;
        _faults = faults;
        _exit = exit;
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Poll();
            try
            {
                await Task.Delay(Interval, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Poll()
    {
        var hang = File.Exists(_state.Home.File(RpcHangFile));
        if (_faults.SetFileHang(hang))
        {
            _logger.RpcHangFileChanged(hang ? "present: RPC hangs" : "removed: RPC answers again");
        }

        var noSign = File.Exists(_state.Home.File(NoSignFile));
        if (_faults.SetFileNoSign(noSign))
        {
            _logger.NoSignFileChanged(noSign ? "present: not signing" : "removed: signing again");
        }

        var crashFile = _state.Home.File(CrashFile);
        if (File.Exists(crashFile))
        {
            try
            {
                File.Delete(crashFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.CrashFileNotDeleted(e.Message);
            }

            Crash($"fault file {CrashFile} found");
            return;
        }

        if (_state.Sim.CrashAfterMs is { } crashAfter && _state.Uptime.TotalMilliseconds >= crashAfter)
        {
            Crash($"sim.crash_after_ms={crashAfter} elapsed");
        }
    }

    private void Crash(string reason)
    {
        if (_exit.Request(1, reason, immediate: true))
        {
            _logger.Crashing(reason);
        }
    }
}
