using Knd.Neard;

namespace Knd.Tests.Neard;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_NameLabelsValue_SkipsCommentsAndBlankLines()
    {
        var samples = PrometheusText.Parse(NeardRpcSamples.Metrics, out var skipped);

        Assert.Equal(0, skipped);
        Assert.Equal(7, samples.Count);
        var mutable = samples.Where(s => s.Name == "near_config_mutable_field").ToArray();
        Assert.Equal(3, mutable.Length);
        Assert.Equal("Some(187456300)", mutable[1].Label("value"));
        Assert.Equal("1739254177", mutable[1].Label("timestamp"));
        Assert.Equal(1, mutable[1].Value);
    }

    [Theory]
    [InlineData("m 1", 1.0)]
    [InlineData("m 1.5e3", 1500.0)]
    [InlineData("m -2", -2.0)]
    [InlineData("m +Inf", double.PositiveInfinity)]
    [InlineData("m -Inf", double.NegativeInfinity)]
    [InlineData("m{} 7", 7.0)]
    [InlineData("m{a=\"b\",} 8", 8.0)]
    [InlineData("m 9 1739254177000", 9.0)]
    [InlineData("  m{a = \"b\"}   10  ", 10.0)]
    public void Parse_ValueForms(string line, double expected)
    {
        var sample = Assert.Single(PrometheusText.Parse(line, out _));

        Assert.Equal("m", sample.Name);
        Assert.Equal(expected, sample.Value);
    }

    [Fact]
    public void Parse_NaN()
    {
        Assert.True(double.IsNaN(Assert.Single(PrometheusText.Parse("m NaN", out _)).Value));
    }

    [Fact]
    public void Parse_EscapedLabelValues()
    {
        var sample = Assert.Single(PrometheusText.Parse("m{path=\"C:\\\\x\",q=\"say \\\"hi\\\"\",nl=\"a\\nb\",comma=\"1,2}\"} 1", out _));

        Assert.Equal("C:\\x", sample.Label("path"));
        Assert.Equal("say \"hi\"", sample.Label("q"));
        Assert.Equal("a\nb", sample.Label("nl"));
        Assert.Equal("1,2}", sample.Label("comma"));
    }

    [Fact]
    public void Parse_MalformedLines_AreSkippedAndCounted_OthersKept()
    {
        var text = "good 1\n{x=\"y\"} 2\nm{a=\"unterminated} 3\nm{a=b} 4\nm notanumber\nm 1 2 3\n9bad 1\nalso_good{k=\"v\"} 5\r\n";

        var samples = PrometheusText.Parse(text, out var skipped);

        Assert.Equal(["good", "also_good"], samples.Select(s => s.Name).ToArray());
        Assert.Equal(5, samples[1].Value);
        Assert.Equal(6, skipped);
    }

    [Fact]
    public void Metrics_MutableFieldNone_IsAFieldWithoutHeight()
    {
        var metrics = new NeardMetrics(PrometheusText.Parse(
            "near_config_mutable_field{field_name=\"expected_shutdown\",timestamp=\"5\",value=\"Some(9)\"} 0\n" +
            "near_config_mutable_field{field_name=\"expected_shutdown\",timestamp=\"6\",value=\"None\"} 1\n",
            out _));

        Assert.Equal(new ExpectedShutdownField(null), metrics.MutableExpectedShutdown);
        Assert.Null(metrics.ConfigReloadsTotal);
        Assert.Null(metrics.BlockExpectedShutdown);
    }

    [Fact]
    public void Metrics_NoMutableField_IsNull()
    {
        Assert.Null(new NeardMetrics(PrometheusText.Parse("near_config_reloads_total 1\n", out _)).MutableExpectedShutdown);
    }
}
