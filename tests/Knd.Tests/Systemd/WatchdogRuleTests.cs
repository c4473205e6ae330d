namespace Knd.Tests.Systemd;

public sealed class WatchdogRuleTests
{
    private static readonly FailoverTimings Defaults = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));

    [Fact]
    public void NoWatchdog_IsFine() => Assert.Null(Defaults.CheckWatchdog(null));

    [Fact]
    public void ShippedWatchdog_FitsTheDefaultTtl() => Assert.Null(Defaults.CheckWatchdog(TimeSpan.FromSeconds(2)));

    [Fact]
    public void WatchdogLetsAFrozenLeaderOutliveItsLock_IsRefusedNamingBothSettings()
    {
        var error = Defaults.CheckWatchdog(TimeSpan.FromSeconds(4));

        Assert.NotNull(error);
        Assert.Contains("WatchdogSec", error, StringComparison.Ordinal);
        Assert.Contains("--session-ttl", error, StringComparison.Ordinal);
    }
}
