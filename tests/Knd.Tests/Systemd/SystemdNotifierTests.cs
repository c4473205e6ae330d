using System.Net.Sockets;
using System.Text;
using Knd.Systemd;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Systemd;

public sealed class SystemdNotifierTests
{
    private const int OurPid = 4321;

    [Fact(Timeout = 30_000)]
    public async Task Notifications_ArriveAsExactDatagrams_OnAPathSocket()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(), OurPid, NullLogger.Instance);

        Assert.True(notifier.IsEnabled);
        Assert.True(notifier.Ready());
        Assert.True(notifier.Status("Voting"));
        Assert.True(notifier.Watchdog());
        Assert.True(notifier.Stopping());

        Assert.Equal("READY=1", await receiver.ReceiveAsync());
        Assert.Equal("STATUS=Voting", await receiver.ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await receiver.ReceiveAsync());
        Assert.Equal("STOPPING=1", await receiver.ReceiveAsync());
        Assert.Equal(0, receiver.Pending);
    }

    [Fact(Timeout = 30_000)]
    public async Task Notifications_ArriveOnAnAbstractSocket_NamedWithAt()
    {
        using var receiver = NotifyReceiver.Abstract();
        using var notifier = new SystemdNotifier(receiver.Environment(), OurPid, NullLogger.Instance);

        Assert.True(notifier.Ready());
        Assert.True(notifier.Stopping());

        Assert.Equal("READY=1", await receiver.ReceiveAsync());
        Assert.Equal("STOPPING=1", await receiver.ReceiveAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_WithLineBreaks_StaysOneAssignment()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(), OurPid, NullLogger.Instance);

        notifier.Status("two\nlines\r\nhere");

        Assert.Equal("STATUS=two lines here", await receiver.ReceiveAsync());
    }

    [Fact]
    public void WithoutNotifySocket_EverythingIsANoOp()
    {
        using var notifier = new SystemdNotifier(_ => null, OurPid, NullLogger.Instance);

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
        Assert.False(notifier.Watchdog());
        Assert.Null(notifier.WatchdogInterval);
        Assert.Null(notifier.WatchdogPingPeriod);
    }

    [Fact]
    public void WatchdogUsec_GivesTheIntervalAndHalfOfItAsThePingPeriod()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "3000000")), OurPid, NullLogger.Instance);

        Assert.Equal(TimeSpan.FromSeconds(3), notifier.WatchdogInterval);
        Assert.Equal(TimeSpan.FromSeconds(1.5), notifier.WatchdogPingPeriod);
    }

    [Fact]
    public void NoWatchdogReason_SaysWhichVariableIsMissing_NullWithAWatchdog()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var none = new SystemdNotifier(_ => null, OurPid, NullLogger.Instance);
        using var unusableSocket = new SystemdNotifier(name => name == "NOTIFY_SOCKET" ? "relative/path" : null, OurPid, NullLogger.Instance);
        using var notifyOnly = new SystemdNotifier(receiver.Environment(), OurPid, NullLogger.Instance);
        using var badUsec = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "3s")), OurPid, NullLogger.Instance);
        using var otherPid = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "2000000"), ("WATCHDOG_PID", "999")), OurPid, NullLogger.Instance);
        using var watched = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "2000000")), OurPid, NullLogger.Instance);

        Assert.Equal("NOTIFY_SOCKET is not set", none.NoWatchdogReason);
        Assert.Equal("NOTIFY_SOCKET is not usable", unusableSocket.NoWatchdogReason);
        Assert.Equal("WATCHDOG_USEC is not set", notifyOnly.NoWatchdogReason);
        Assert.Equal("WATCHDOG_USEC is not usable", badUsec.NoWatchdogReason);
        Assert.Equal("WATCHDOG_USEC is not usable", otherPid.NoWatchdogReason);
        Assert.Null(watched.NoWatchdogReason);
    }

    [Fact]
    public void WatchdogPid_OfThisProcess_KeepsTheWatchdog()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "2000000"), ("WATCHDOG_PID", "4321")), OurPid, NullLogger.Instance);

        Assert.Equal(TimeSpan.FromSeconds(2), notifier.WatchdogInterval);
    }

    [Fact]
    public void WatchdogPid_OfAnotherProcess_DisablesTheWatchdog()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", "2000000"), ("WATCHDOG_PID", "999")), OurPid, NullLogger.Instance);

        Assert.True(notifier.IsEnabled);
        Assert.Null(notifier.WatchdogInterval);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("3s")]
    [InlineData("99999999999999999999999")]
    public void WatchdogUsec_Invalid_NoWatchdog_AndALogLine(string usec)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        using var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(("WATCHDOG_USEC", usec)), OurPid, factory.CreateLogger("test"));

        Assert.Null(notifier.WatchdogInterval);
        Assert.Contains(logs.Lines, l => l.Contains("[6001]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("relative/notify.sock")]
    [InlineData("vsock:2:1234")]
    public void NotifySocket_Unsupported_IsOff_AndLogged(string value)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        using var notifier = new SystemdNotifier(name => name == "NOTIFY_SOCKET" ? value : null, OurPid, factory.CreateLogger("test"));

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
        Assert.Contains(logs.Lines, l => l.Contains("[6000]", StringComparison.Ordinal));
    }

    [Fact]
    public void SocketGone_SendsFail_LoggedOnce_NeverThrow()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var receiver = NotifyReceiver.InTempDirectory();
        using var notifier = new SystemdNotifier(receiver.Environment(), OurPid, factory.CreateLogger("test"));
        Assert.True(notifier.Ready());
        receiver.Dispose();

        Assert.False(notifier.Watchdog());
        Assert.False(notifier.Watchdog());
        Assert.False(notifier.Status("Voting"));

        Assert.Single(logs.Lines, l => l.Contains("[6003]", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task SocketBack_AfterFailures_SendsAgain_AndSaysSo()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var directory = Directory.CreateTempSubdirectory("knd-notify-").FullName;
        try
        {
            var path = Path.Combine(directory, "missing.sock");
            using var notifier = new SystemdNotifier(name => name == "NOTIFY_SOCKET" ? path : null, OurPid, factory.CreateLogger("test"));
            Assert.False(notifier.Ready());

            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            Assert.True(notifier.Ready());

            var buffer = new byte[64];
            using var deadline = Deadline.After(TimeSpan.FromSeconds(10));
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, length));
            Assert.Contains(logs.Lines, l => l.Contains("[6004]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task FromProcess_ReadsTheRealEnvironment_ThenRemovesItSoNeardCannotInherit()
    {
        using var receiver = NotifyReceiver.InTempDirectory();
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", receiver.Address);
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", "4000000");
        Environment.SetEnvironmentVariable("WATCHDOG_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var notifier = SystemdNotifier.FromProcess(NullLogger.Instance);

            Assert.Equal(TimeSpan.FromSeconds(4), notifier.WatchdogInterval);
            Assert.Null(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
            Assert.Null(Environment.GetEnvironmentVariable("WATCHDOG_USEC"));
            Assert.Null(Environment.GetEnvironmentVariable("WATCHDOG_PID"));
            Assert.DoesNotContain("NOTIFY_SOCKET", new System.Diagnostics.ProcessStartInfo("true").Environment.Keys);
            Assert.True(notifier.Ready());
            Assert.Equal("READY=1", await receiver.ReceiveAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        }
    }
}
