using Knd.Supervision;
using Knd.Systemd;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Knd.Tests.Systemd;

/// <summary>A <see cref="WatchdogPinger"/> on a fake clock, notifying a real socket.</summary>
internal sealed class PingerRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _factory;
    private readonly SystemdNotifier _notifier;

    public PingerRig(params (string Name, string Value)[] environment)
        : this(loopHasTicked: true, environment)
    {
    }

    /// <summary>A rig whose supervision loop has (or has not yet) finished its first tick, the start-up.</summary>
    public PingerRig(bool loopHasTicked, params (string Name, string Value)[] environment)
    {
        Receiver = NotifyReceiver.InTempDirectory();
        Time = new FakeTimeProvider();
        Status = new SupervisorStatus(new MonotonicClock(Time), "node-a", "v.near");
        Logs = new CapturingLoggerProvider();
        _factory = Logs.CreateFactory();
        _notifier = new SystemdNotifier(Receiver.Environment(environment), Environment.ProcessId, _factory.CreateLogger("notify"));
        Pinger = new WatchdogPinger(_notifier, Status, Time, _factory.CreateLogger("pinger"));
        if (loopHasTicked)
        {
            Status.MarkTick();
        }
    }

    public NotifyReceiver Receiver { get; }

    public FakeTimeProvider Time { get; }

    public SupervisorStatus Status { get; }

    public CapturingLoggerProvider Logs { get; }

    public WatchdogPinger Pinger { get; }

    public Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>Starts the loop; its first beat runs before this returns.</summary>
    public void Start() => Running = Pinger.RunAsync(_stop.Token);

    /// <summary>Advances the clock with the supervision loop ticking just before the end.</summary>
    public void AdvanceTicking(TimeSpan span)
    {
        Time.Advance(span - TimeSpan.FromTicks(1));
        Status.MarkTick();
        Time.Advance(TimeSpan.FromTicks(1));
    }

    public Task WaitForBeatsAsync(long beats) =>
        Deadline.WaitUntilAsync(() => Pinger.Beats >= beats, TimeSpan.FromSeconds(10), $"beat {beats} (at {Pinger.Beats})");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Running.WaitAsync(TimeSpan.FromSeconds(10));
        _notifier.Dispose();
        Receiver.Dispose();
        _factory.Dispose();
        Logs.Dispose();
        _stop.Dispose();
    }
}
