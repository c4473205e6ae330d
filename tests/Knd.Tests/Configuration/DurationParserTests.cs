using Knd.Configuration;

namespace Knd.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("1500us", 1.5)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("+3s", 3_000)]
    public void TryParse_GoDuration_ReturnsValue(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out var problem), problem);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("10", "a unit is required")]
    [InlineData("ten", "expected a number followed by a unit")]
    [InlineData("-5s", "is negative")]
    [InlineData("5x", "unknown unit \"x\"")]
    [InlineData("1.2.3s", "malformed duration")]
    [InlineData("", "empty duration")]
    [InlineData("10 s", "unknown unit")]
    [InlineData("99999999999h", "out of range")]
    public void TryParse_Malformed_SaysWhy(string text, string expected)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(86_400_000, "24h")]
    [InlineData(1_500, "1.5s")]
    public void Format_Duration_IsCompactGoStyle(double milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(expected, DurationParser.Format(value));
        Assert.True(DurationParser.TryParse(expected, out var back, out _));
        Assert.Equal(value, back);
    }
}
