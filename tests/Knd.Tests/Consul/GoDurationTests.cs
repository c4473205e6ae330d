using Knd.Consul;

namespace Knd.Tests.Consul;

/// <summary>Go's ParseDuration and Duration.String, which Consul's messages and parameters depend on.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("10s", 10_000_000_000L)]
    [InlineData("15000ms", 15_000_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("1h2m3s", 3_723_000_000_000L)]
    [InlineData("-2m", -120_000_000_000L)]
    [InlineData("300us", 300_000L)]
    [InlineData("300\u00b5s", 300_000L)]
    [InlineData("42ns", 42L)]
    [InlineData(".5m", 30_000_000_000L)]
    public void TryParse_AcceptsGoDurations(string text, long nanoseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var parsed, out var error), error);
        Assert.Equal(nanoseconds, parsed);
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("10", "time: missing unit in duration \"10\"")]
    [InlineData("10x", "time: unknown unit \"x\" in duration \"10x\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("9999999999999999999h", "time: invalid duration \"9999999999999999999h\"")]
    public void TryParse_RefusesWithGosMessage(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(10_000_000_000L, "10s")]
    [InlineData(86_400_000_000_000L, "24h0m0s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(1_500_000L, "1.5ms")]
    [InlineData(1_500L, "1.5\u00b5s")]
    [InlineData(7L, "7ns")]
    [InlineData(-3_000_000_000L, "-3s")]
    public void Format_MatchesGosDurationString(long nanoseconds, string text)
    {
        Assert.Equal(text, GoDuration.Format(nanoseconds));
    }

    [Theory]
    [InlineData(15_000, "15s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(0, "0s")]
    public void ToWire_SendsSecondsOrMilliseconds(int milliseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.ToWire(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
