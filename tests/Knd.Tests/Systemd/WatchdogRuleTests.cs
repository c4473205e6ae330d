using Knd.Systemd;

namespace Knd.Tests.Systemd;

public sealed class WatchdogRuleTests
{
    private static readonly FailoverTimings Defaults = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));

    [Fact]
    public void NoWatchdog_IsFine() => Assert.Null(WatchdogRule.Check(Defaults, null));

    [Fact]
    public void ShippedWatchdog_FitsTheDefaultTtl() => Assert.Null(WatchdogRule.Check(Defaults, TimeSpan.FromSeconds(2)));

    [Fact]
    public void WatchdogLetsAFrozenLeaderOutliveItsLock_IsRefusedNamingBothSettings()
    {
        var error = WatchdogRule.Check(Defaults, TimeSpan.FromSeconds(4));

        Assert.NotNull(error);
        Assert.Contains("WatchdogSec", error, StringComparison.Ordinal);
        Assert.Contains("--session-ttl", error, StringComparison.Ordinal);
    }
}
