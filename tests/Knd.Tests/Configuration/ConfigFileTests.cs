using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class ConfigFileTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_ConfigFile_SetsOptions()
    {
        _f.Flags.Remove("neard-home");
        _f.WriteConfig($$"""
            {
              // comments and trailing commas are allowed
              "neard-home": "{{_f.Home}}",
              "node-id": "a",
              "session-ttl": "15s",
              "public-address": ["1.2.3.4"],
              "neard-bootnodes": null,
            }
            """);

        var o = _f.ParseValid();

        Assert.Equal(_f.Home, o.NeardHome);
        Assert.Equal("a", o.NodeId);
        Assert.Equal(TimeSpan.FromSeconds(15), _f.ParseValidTimings().SessionTtl);
        Assert.Equal("1.2.3.4", Assert.Single(o.PublicAddresses).ToString());
        Assert.Null(o.NeardBootnodes);
    }

    [Fact]
    public void Parse_ConfigFileFromEnvironment_IsRead()
    {
        var path = _f.WriteConfig("{\"node-id\": \"from-file\"}");
        _f.Flags.Remove("config");
        _f.Env["KND_CONFIG"] = path;

        Assert.Equal("from-file", _f.ParseValid().NodeId);
    }

    [Fact]
    public void Parse_ConfigFileNotJson_Fails()
    {
        var path = _f.WriteConfig("node-id = a");

        Assert.StartsWith($"--config: \"{path}\" is not valid JSON (line 1", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfigFileNotAnObject_Fails()
    {
        var path = _f.WriteConfig("[\"node-id\"]");

        Assert.StartsWith($"--config: \"{path}\" must hold a JSON object", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfigFileUnknownKey_FailsNamingIt()
    {
        var path = _f.WriteConfig("{\"node-id\": \"a\", \"sesion-ttl\": \"10s\"}");

        Assert.Equal($"--config: unknown key \"sesion-ttl\" in \"{path}\"", _f.ParseError());
    }

    [Fact]
    public void Parse_ConfigFileKeyWithUnderscores_SuggestsTheName()
    {
        _f.WriteConfig("{\"node_id\": \"a\"}");

        Assert.EndsWith("(did you mean \"node-id\"?)", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfigFileNamesConfig_IsUnknownKey()
    {
        _f.WriteConfig("{\"config\": \"/etc/other.json\"}");

        Assert.Contains("unknown key \"config\"", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfigFileNumberForDuration_FailsOnTheOption()
    {
        var path = _f.WriteConfig("{\"session-ttl\": 10}");

        Assert.Equal(
            $"--session-ttl (from config file {path}): expected a string, found a number (write durations as strings, e.g. \"10s\")",
            _f.ParseError());
    }

    [Fact]
    public void Parse_ConfigFileArrayForSingleOption_Fails()
    {
        _f.WriteConfig("{\"node-id\": [\"a\"]}");

        Assert.Contains("--node-id (from config file", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfigFileBadValue_IsValidatedLikeAFlag()
    {
        var path = _f.WriteConfig("{\"promotion\": \"swap\"}");

        Assert.Equal($"--promotion (from config file {path}): \"swap\" is not one of: restart, hot-swap", _f.ParseError());
    }

    [Fact]
    public void Parse_ConfigFileMissing_Fails()
    {
        var path = Path.Combine(_f.Root, "missing.json");
        _f.Set("config", path);

        Assert.Equal($"--config: \"{path}\" does not exist", _f.ParseError());
    }

    [Fact]
    public void Parse_ConfigFileDuplicateKey_Fails()
    {
        _f.WriteConfig("{\"node-id\": \"a\", \"node-id\": \"b\"}");

        Assert.Contains("key \"node-id\" appears twice", _f.ParseError(), StringComparison.Ordinal);
    }
}
