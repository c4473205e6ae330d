using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

/// <summary>--mischance-confidence and --max-mischance: every source, the defaults, and a one-line error naming the option.</summary>
[SupportedOSPlatform("linux")]
public sealed class ProductionOptionsTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_NeitherGiven_UsesTheProductionRulesDefaults()
    {
        var rules = _f.ParseValid().Production;

        Assert.Equal(ProductionRules.DefaultMischanceConfidence, rules.MischanceConfidence);
        Assert.Equal(ProductionRules.DefaultMaxMischance, rules.MaxMischance);
        Assert.Equal(3, rules.MischanceConfidence);
        Assert.Equal(10, rules.MaxMischance);
    }

    [Fact]
    public void Parse_Flags_AreTaken()
    {
        _f.Set("mischance-confidence", "5");
        _f.Set("max-mischance", "40");

        var rules = _f.ParseValid().Production;

        Assert.Equal(5, rules.MischanceConfidence);
        Assert.Equal(40, rules.MaxMischance);
    }

    [Fact]
    public void Parse_EnvironmentVariables_AreTaken_AndFlagsWin()
    {
        _f.Env["KND_MISCHANCE_CONFIDENCE"] = "7";
        _f.Env["KND_MAX_MISCHANCE"] = "70";
        _f.Set("max-mischance", "20");

        var rules = _f.ParseValid().Production;

        Assert.Equal(7, rules.MischanceConfidence);
        Assert.Equal(20, rules.MaxMischance);
    }

    [Fact]
    public void Parse_ConfigFile_TakesNumbersAndStrings()
    {
        _f.WriteConfig("""{"mischance-confidence": 4, "max-mischance": "12"}""");

        var rules = _f.ParseValid().Production;

        Assert.Equal(4, rules.MischanceConfidence);
        Assert.Equal(12, rules.MaxMischance);
    }

    [Theory]
    [InlineData("mischance-confidence", "0", "--mischance-confidence: 0 is out of range: it must be from 1 to 10000")]
    [InlineData("mischance-confidence", "-1", "--mischance-confidence: -1 is out of range: it must be from 1 to 10000")]
    [InlineData("mischance-confidence", "-", "--mischance-confidence: \"-\" is not a whole number")]
    [InlineData("mischance-confidence", "three", "--mischance-confidence: \"three\" is not a whole number")]
    [InlineData("mischance-confidence", "", "--mischance-confidence: \"\" is not a whole number")]
    [InlineData("max-mischance", "1.5", "--max-mischance: \"1.5\" is not a whole number")]
    [InlineData("max-mischance", "10001", "--max-mischance: 10001 is out of range")]
    [InlineData("max-mischance", "99999999999999999999", "--max-mischance: 99999999999999999999 is out of range: it must be from 1 to 10000")]
    [InlineData("max-mischance", "0x10", "--max-mischance: \"0x10\" is not a whole number")]
    public void Parse_BadValue_FailsNamingTheOption(string option, string value, string expected)
    {
        _f.Set(option, value);

        Assert.StartsWith(expected, _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadValueInConfigFile_NamesTheOptionAndTheFile()
    {
        var path = _f.WriteConfig("""{"max-mischance": 2.5}""");

        var error = _f.ParseError();

        Assert.Equal($"--max-mischance (from config file {path}): \"2.5\" is not a whole number", error);
    }

    [Fact]
    public void Parse_BadValueInEnvironment_NamesTheVariable()
    {
        _f.Env["KND_MISCHANCE_CONFIDENCE"] = "0";

        Assert.StartsWith("--mischance-confidence (from KND_MISCHANCE_CONFIDENCE): 0 is out of range", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigFile_NumberForANonCountOption_IsStillRefused()
    {
        _f.WriteConfig("""{"session-ttl": 10}""");

        Assert.Contains("expected a string, found a number", _f.ParseError(), StringComparison.Ordinal);
    }
}
