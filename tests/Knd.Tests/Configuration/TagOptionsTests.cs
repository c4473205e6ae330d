using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

/// <summary>--no-failover and --priority: defaults, sources, and a one-line error naming the option.</summary>
[SupportedOSPlatform("linux")]
public sealed class TagOptionsTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_NeitherGiven_FailsOverWithPriorityZero()
    {
        var tags = _f.ParseValid().Tags;

        Assert.False(tags.NoFailover);
        Assert.Equal(0, tags.Priority);
    }

    [Fact]
    public void Parse_Flags_AreTaken()
    {
        _f.Set("no-failover", "true");
        _f.Set("priority", "-20");

        var tags = _f.ParseValid().Tags;

        Assert.True(tags.NoFailover);
        Assert.Equal(-20, tags.Priority);
    }

    [Fact]
    public void Parse_ConfigFile_TakesABooleanAndANumber()
    {
        _f.WriteConfig("""{"no-failover": true, "priority": 7}""");

        var tags = _f.ParseValid().Tags;

        Assert.True(tags.NoFailover);
        Assert.Equal(7, tags.Priority);
    }

    [Theory]
    [InlineData("priority", "1001", "--priority: 1001 is out of range: it must be from -1000 to 1000")]
    [InlineData("priority", "-1001", "--priority: -1001 is out of range")]
    [InlineData("priority", "-99999999999", "--priority: -99999999999 is out of range: it must be from -1000 to 1000")]
    [InlineData("priority", "high", "--priority: \"high\" is not a whole number")]
    [InlineData("priority", "1.5", "--priority: \"1.5\" is not a whole number")]
    [InlineData("priority", "-", "--priority: \"-\" is not a whole number")]
    [InlineData("no-failover", "maybe", "--no-failover: \"maybe\" is not true or false")]
    public void Parse_BadValue_FailsNamingTheOption(string option, string value, string expected)
    {
        _f.Set(option, value);

        Assert.StartsWith(expected, _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PriorityFromEnvironment_NamesTheVariable()
    {
        _f.Env["KND_PRIORITY"] = "5000";

        Assert.StartsWith("--priority (from KND_PRIORITY): 5000 is out of range", _f.ParseError(), StringComparison.Ordinal);
    }
}
