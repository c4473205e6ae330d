using Knd.Metrics;

namespace Knd.Tests.Metrics;

public sealed class PrometheusFormatTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("two\nlines", "two\\nlines")]
    [InlineData("\\\"\n", "\\\\\\\"\\n")]
    public void EscapeLabelValue_BackslashQuoteAndNewline_AreEscaped(string raw, string escaped) =>
        Assert.Equal(escaped, PrometheusFormat.EscapeLabelValue(raw));

    [Fact]
    public void EscapeHelp_EscapesBackslashAndNewline_KeepsQuotes() =>
        Assert.Equal("a \"quoted\" \\\\ path\\nnext", PrometheusFormat.EscapeHelp("a \"quoted\" \\ path\nnext"));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.5, "0.5")]
    [InlineData(-1.25, "-1.25")]
    [InlineData(1e21, "1E+21")]
    [InlineData(0.1, "0.1")]
    public void FormatDouble_SpecialValuesAndInvariantCulture(double value, string text) =>
        Assert.Equal(text, PrometheusFormat.FormatDouble(value));

    [Fact]
    public void FormatDouble_RoundTrips() =>
        Assert.Equal(Math.PI, double.Parse(PrometheusFormat.FormatDouble(Math.PI), System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void FormatInteger_LargeValue_KeepsEveryDigit() =>
        Assert.Equal("9007199254740993", PrometheusFormat.FormatInteger(9007199254740993));

    [Theory]
    [InlineData("knd_state", "knd_state")]
    [InlineData("knd.state", "knd_state")]
    [InlineData("1st", "_st")]
    [InlineData("ns:name", "ns:name")]
    [InlineData("", "_")]
    public void SanitizeMetricName_ReplacesInvalidCharacters(string name, string sanitized) =>
        Assert.Equal(sanitized, PrometheusFormat.SanitizeMetricName(name));

    [Fact]
    public void SanitizeLabelName_RejectsColon() => Assert.Equal("a_b", PrometheusFormat.SanitizeLabelName("a:b"));

    [Theory]
    [InlineData("SelfFence", "self_fence")]
    [InlineData("LockLost", "lock_lost")]
    [InlineData("PromotionFailed", "promotion_failed")]
    [InlineData("Shutdown", "shutdown")]
    public void SnakeCase_FromPascalCase(string pascal, string snake) => Assert.Equal(snake, SnakeCase.From(pascal));
}
