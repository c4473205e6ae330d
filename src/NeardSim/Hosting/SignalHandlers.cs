using System.Runtime.InteropServices;
using NeardSim.Node;

namespace NeardSim.Hosting;

/// <summary>SIGTERM/SIGINT stop the node (after sim.ignore_sigterm_ms); SIGHUP reloads the updatable config.</summary>
internal sealed class SignalHandlers : IDisposable
{
    private readonly ExitController _exit;
    private readonly ConfigReloader _reloader;
    private readonly int _ignoreSigtermMs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private ITimer? _delayedExit;
    private int _terminating;

    public SignalHandlers(ExitController exit, ConfigReloader reloader, int ignoreSigtermMs, TimeProvider time, ILogger logger)
    {
        _exit = exit;
        _reloader = reloader;
        _ignoreSigtermMs = ignoreSigtermMs;
        _time = time;
        _logger = logger;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnTerminate));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangUp));
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _delayedExit?.Dispose();
    }

    private void OnTerminate(PosixSignalContext context)
    {
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        if (Interlocked.Exchange(ref _terminating, 1) == 1)
        {
            _logger.SignalAgain(name);
            return;
        }

        if (_ignoreSigtermMs <= 0)
        {
            _logger.Stopping(name);
            _exit.Request(0, $"{name} received");
            return;
        }

        // A neard that is slow to stop: it keeps running (and signing) until the delay is over.
        _logger.IgnoringSignal(name, _ignoreSigtermMs);
        _delayedExit = _time.CreateTimer(
            _ => _exit.Request(0, $"{name} received {_ignoreSigtermMs} ms ago"),
            null,
            TimeSpan.FromMilliseconds(_ignoreSigtermMs),
            Timeout.InfiniteTimeSpan);
    }

    private void OnHangUp(PosixSignalContext context)
    {
        context.Cancel = true;
        _logger.HangUp();
        _reloader.Reload();
    }
}
