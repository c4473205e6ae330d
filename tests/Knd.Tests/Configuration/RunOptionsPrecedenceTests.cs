using System.Runtime.Versioning;
using Knd.Configuration;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class RunOptionsPrecedenceTests : IDisposable
{
    /// <summary>Contract §2's list of kuutamod variables and the option each one sets.</summary>
    public static readonly TheoryData<string, string> KuutamoAliases = new()
    {
        { "KUUTAMO_NODE_ID", "node-id" },
        { "KUUTAMO_ACCOUNT_ID", "account-id" },
        { "KUUTAMO_CONSUL_URL", "consul-url" },
        { "KUUTAMO_CONSUL_TOKEN_FILE", "consul-token-file" },
        { "KUUTAMO_EXPORTER_ADDRESS", "exporter-address" },
        { "KUUTAMO_NEARD_HOME", "neard-home" },
        { "KUUTAMO_VALIDATOR_KEY", "validator-key" },
        { "KUUTAMO_VALIDATOR_NODE_KEY", "validator-node-key" },
        { "KUUTAMO_VOTER_NODE_KEY", "voter-node-key" },
        { "KUUTAMO_VALIDATOR_NETWORK_ADDR", "validator-network-addr" },
        { "KUUTAMO_VOTER_NETWORK_ADDR", "voter-network-addr" },
        { "KUUTAMO_PUBLIC_ADDRESS", "public-address" },
        { "KUUTAMO_NEARD_BOOTNODES", "neard-bootnodes" },
        { "KUUTAMO_CONTROL_SOCKET", "control-socket" },
    };

    private static readonly Dictionary<string, string> BadValues = new()
    {
        ["node-id"] = "has space",
        ["account-id"] = "other.near",
        ["consul-url"] = "not-a-url",
        ["consul-token-file"] = "/nonexistent/token",
        ["exporter-address"] = "localhost:1",
        ["neard-home"] = "/nonexistent/home",
        ["validator-key"] = "/nonexistent/validator_key.json",
        ["validator-node-key"] = "/nonexistent/validator_node_key.json",
        ["voter-node-key"] = "/nonexistent/voter_node_key.json",
        ["validator-network-addr"] = "bad",
        ["voter-network-addr"] = "bad",
        ["public-address"] = "not-an-ip",
        ["neard-bootnodes"] = "a b",
        ["control-socket"] = "/nonexistent/dir/knd.sock",
    };

    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Catalog_KuutamoAliases_AreExactlyContractList()
    {
        var expected = KuutamoAliases.Select(row => ((string)row[0], (string)row[1])).OrderBy(p => p.Item1);
        var actual = RunOptionCatalog.All.Where(s => s.KuutamoAlias is not null).Select(s => (s.KuutamoAlias!, s.Name)).OrderBy(p => p.Item1);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(KuutamoAliases))]
    public void Parse_KuutamoAlias_SetsItsOptionAndIsValidated(string variable, string option)
    {
        _f.Flags.Remove(option);
        _f.Env[variable] = BadValues[option];

        Assert.StartsWith($"--{option} (from {variable}): ", _f.ParseError(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KuutamoAliases))]
    public void Parse_KndVariable_BeatsKuutamoAlias(string variable, string option)
    {
        var knd = "KND_" + option.Replace('-', '_').ToUpperInvariant();
        _f.Flags.Remove(option);
        _f.Env[variable] = "ignored because KND_ wins";
        _f.Env[knd] = BadValues[option];

        Assert.StartsWith($"--{option} (from {knd}): ", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KuutamoAliases_ConfigureAWholeHost()
    {
        _f.Flags.Remove("neard-home");
        _f.Env["KUUTAMO_NEARD_HOME"] = _f.Home;
        _f.Env["KUUTAMO_NODE_ID"] = "kuutamo-host";
        _f.Env["KUUTAMO_ACCOUNT_ID"] = RunOptionsFixture.Account;
        _f.Env["KUUTAMO_EXPORTER_ADDRESS"] = "127.0.0.1:9100";
        _f.Env["KUUTAMO_PUBLIC_ADDRESS"] = "1.2.3.4,5.6.7.8";
        _f.Env["KUUTAMO_NEARD_BOOTNODES"] = "ed25519:x@1.1.1.1:24567";
        _f.Env["KUUTAMO_VOTER_NETWORK_ADDR"] = "0.0.0.0:34568";

        var o = _f.ParseValid();

        Assert.Equal(_f.Home, o.NeardHome);
        Assert.Equal("kuutamo-host", o.NodeId);
        Assert.Equal(9100, o.ExporterAddress.Port);
        Assert.Equal(new[] { "1.2.3.4", "5.6.7.8" }, o.PublicAddresses.Select(a => a.ToString()));
        Assert.Equal("ed25519:x@1.1.1.1:24567", o.NeardBootnodes);
        Assert.Equal(34568, o.VoterNetworkAddr.Port);
    }

    [Fact]
    public void Parse_NodeId_FlagBeatsKndBeatsKuutamoBeatsConfigBeatsDefault()
    {
        _f.WriteConfig("{\"node-id\": \"from-config\"}");
        _f.Set("node-id", "from-flag");
        _f.Env["KND_NODE_ID"] = "from-knd";
        _f.Env["KUUTAMO_NODE_ID"] = "from-kuutamo";

        Assert.Equal("from-flag", _f.ParseValid().NodeId);
        _f.Flags.Remove("node-id");
        Assert.Equal("from-knd", _f.ParseValid().NodeId);
        _f.Env.Remove("KND_NODE_ID");
        Assert.Equal("from-kuutamo", _f.ParseValid().NodeId);
        _f.Env.Remove("KUUTAMO_NODE_ID");
        Assert.Equal("from-config", _f.ParseValid().NodeId);
        _f.Flags.Remove("config");
        Assert.Equal("test-host", _f.ParseValid().NodeId);
    }

    [Fact]
    public void Parse_SessionTtl_FlagBeatsKndBeatsConfigBeatsDefault()
    {
        _f.WriteConfig("{\"session-ttl\": \"40s\"}");
        _f.Set("session-ttl", "20s");
        _f.Env["KND_SESSION_TTL"] = "30s";

        Assert.Equal(TimeSpan.FromSeconds(20), _f.ParseValidTimings().SessionTtl);
        _f.Flags.Remove("session-ttl");
        Assert.Equal(TimeSpan.FromSeconds(30), _f.ParseValidTimings().SessionTtl);
        _f.Env.Remove("KND_SESSION_TTL");
        Assert.Equal(TimeSpan.FromSeconds(40), _f.ParseValidTimings().SessionTtl);
        _f.Flags.Remove("config");
        Assert.Equal(RunOptionDefaults.DefaultSessionTtl, _f.ParseValidTimings().SessionTtl);
    }

    [Fact]
    public void Parse_PublicAddress_FlagListReplacesEnvironmentList()
    {
        _f.WriteConfig("{\"public-address\": [\"9.9.9.9\"]}");
        _f.Env["KUUTAMO_PUBLIC_ADDRESS"] = "8.8.8.8";
        _f.Env["KND_PUBLIC_ADDRESS"] = "7.7.7.7, 6.6.6.6";
        _f.Set("public-address", "1.1.1.1", "2.2.2.2");

        Assert.Equal(new[] { "1.1.1.1", "2.2.2.2" }, _f.ParseValid().PublicAddresses.Select(a => a.ToString()));
        _f.Flags.Remove("public-address");
        Assert.Equal(new[] { "7.7.7.7", "6.6.6.6" }, _f.ParseValid().PublicAddresses.Select(a => a.ToString()));
        _f.Env.Remove("KND_PUBLIC_ADDRESS");
        Assert.Equal(new[] { "8.8.8.8" }, _f.ParseValid().PublicAddresses.Select(a => a.ToString()));
        _f.Env.Remove("KUUTAMO_PUBLIC_ADDRESS");
        Assert.Equal(new[] { "9.9.9.9" }, _f.ParseValid().PublicAddresses.Select(a => a.ToString()));
    }

    [Fact]
    public void Parse_EmptyEnvironmentVariable_CountsAsUnset()
    {
        _f.Env["KND_NODE_ID"] = "";
        _f.Env["KUUTAMO_NODE_ID"] = "kuutamo-host";

        Assert.Equal("kuutamo-host", _f.ParseValid().NodeId);
    }

    [Fact]
    public void Parse_BadValueFromEnvironment_NamesTheVariable()
    {
        _f.Env["KND_SESSION_TTL"] = "0s";

        Assert.StartsWith("--session-ttl (from KND_SESSION_TTL): \"0s\" is not allowed", _f.ParseError(), StringComparison.Ordinal);
    }
}
