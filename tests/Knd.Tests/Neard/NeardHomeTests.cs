using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Knd.Neard;

namespace Knd.Tests.Neard;

[SupportedOSPlatform("linux")]
public sealed class NeardHomeTests : NeardHomeFixture
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly IPEndPoint VoterAddr = IPEndPoint.Parse("0.0.0.0:24568");
    private static readonly IPEndPoint ValidatorAddr = IPEndPoint.Parse("0.0.0.0:24567");


    [Fact]
    public void PrepareVoter_RemovesValidatorKey_CopiesVoterNodeKey_SetsVoterNetwork()
    {
        File.WriteAllText(Home.File("validator_key.json"), NeardTestData.ValidatorKey);

        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        Assert.False(File.Exists(Home.File("validator_key.json")));
        Assert.False(NeardHome.HasValidatorKey);
        Assert.Equal(NeardTestData.VoterNodeKey, File.ReadAllText(Home.File("node_key.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Home.File("node_key.json")));
        var network = ReadConfig()["network"]!;
        Assert.Equal("0.0.0.0:24568", network["addr"]!.GetValue<string>());
        Assert.Empty(network["public_addrs"]!.AsArray());
    }

    [Fact]
    public void PrepareVoter_KeepsUnknownFieldsAndTheirOrder()
    {
        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        var config = ReadConfig();
        Assert.Equal(
            ["genesis_file", "rpc", "network", "consensus", "tracked_shards", "store", "gas_limit"],
            config.Select(p => p.Key).ToArray());
        Assert.Equal(
            ["addr", "boot_nodes", "whitelist_nodes", "public_addrs", "max_num_peers"],
            config["network"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(1000000000000000, config["gas_limit"]!.GetValue<long>());
        Assert.Equal(100000000, config["consensus"]!["block_production_tracking_delay"]!["nanos"]!.GetValue<long>());
        Assert.Null(config["rpc"]!["prometheus_addr"]);
        Assert.True(config["rpc"]!.AsObject().ContainsKey("prometheus_addr"));
        Assert.Equal(40, config["network"]!["max_num_peers"]!.GetValue<int>());
    }

    [Fact]
    public void PrepareVoter_ReplacesKuutamodSymlinks_WithRegularFiles()
    {
        File.CreateSymbolicLink(Home.File("validator_key.json"), Credentials.File("validator_key.json"));
        File.CreateSymbolicLink(Home.File("node_key.json"), Credentials.File("validator_node_key.json"));

        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        Assert.Null(new FileInfo(Home.File("validator_key.json")).LinkTarget);
        Assert.False(File.Exists(Home.File("validator_key.json")));
        Assert.Null(new FileInfo(Home.File("node_key.json")).LinkTarget);
        Assert.Equal(NeardTestData.VoterNodeKey, File.ReadAllText(Home.File("node_key.json")));
        Assert.Equal(NeardTestData.ValidatorNodeKey, File.ReadAllText(Credentials.File("validator_node_key.json")));
    }

    [Fact]
    public void PrepareValidator_WritesBothKeysOwnerOnly_AndValidatorNetwork()
    {
        NeardHome.PrepareValidator(
            Credentials.File("validator_key.json"),
            Credentials.File("validator_node_key.json"),
            ValidatorAddr,
            [IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")]);

        Assert.Equal(NeardTestData.ValidatorKey, File.ReadAllText(Home.File("validator_key.json")));
        Assert.Equal(NeardTestData.ValidatorNodeKey, File.ReadAllText(Home.File("node_key.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Home.File("validator_key.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Home.File("node_key.json")));
        var network = ReadConfig()["network"]!;
        Assert.Equal("0.0.0.0:24567", network["addr"]!.GetValue<string>());
        Assert.Equal(
            [$"{NeardTestData.ValidatorNodePublic}@203.0.113.7:24567", $"{NeardTestData.ValidatorNodePublic}@[2001:db8::7]:24567"],
            network["public_addrs"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray());
    }

    [Fact]
    public void PrepareValidator_PortOfPublicAddrs_ComesFromValidatorNetworkAddr()
    {
        NeardHome.PrepareValidator(
            Credentials.File("validator_key.json"),
            Credentials.File("validator_node_key.json"),
            IPEndPoint.Parse("10.0.0.5:24600"),
            [IPAddress.Parse("198.51.100.1")]);

        var network = ReadConfig()["network"]!;
        Assert.Equal("10.0.0.5:24600", network["addr"]!.GetValue<string>());
        Assert.Equal($"{NeardTestData.ValidatorNodePublic}@198.51.100.1:24600", network["public_addrs"]![0]!.GetValue<string>());
    }

    [Fact]
    public void PrepareValidator_NoConfigNetworkSection_CreatesIt()
    {
        File.WriteAllText(Home.File("config.json"), """{"rpc":{"addr":"127.0.0.1:3030"}}""");

        NeardHome.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), ValidatorAddr, []);

        var config = ReadConfig();
        Assert.Equal("0.0.0.0:24567", config["network"]!["addr"]!.GetValue<string>());
        Assert.Empty(config["network"]!["public_addrs"]!.AsArray());
        Assert.Equal("127.0.0.1:3030", config["rpc"]!["addr"]!.GetValue<string>());
    }

    [Fact]
    public void InstallValidatorKey_TouchesOnlyValidatorKey()
    {
        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);
        var configBefore = File.ReadAllBytes(Home.File("config.json"));
        var filesBefore = Directory.GetFiles(Home.Path).Select(f => Path.GetFileName(f)).Order().ToArray();
        var configTimeBefore = File.GetLastWriteTimeUtc(Home.File("config.json"));

        NeardHome.InstallValidatorKey(Credentials.File("validator_key.json"));

        Assert.Equal(NeardTestData.ValidatorKey, File.ReadAllText(Home.File("validator_key.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Home.File("validator_key.json")));
        Assert.Equal(NeardTestData.VoterNodeKey, File.ReadAllText(Home.File("node_key.json")));
        Assert.Equal(configBefore, File.ReadAllBytes(Home.File("config.json")));
        Assert.Equal(configTimeBefore, File.GetLastWriteTimeUtc(Home.File("config.json")));
        Assert.Equal([.. filesBefore, "validator_key.json"], Directory.GetFiles(Home.Path).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    [Fact]
    public void RemoveValidatorKey_ReportsWhetherAKeyWasThere()
    {
        NeardHome.InstallValidatorKey(Credentials.File("validator_key.json"));

        Assert.True(NeardHome.RemoveValidatorKey());
        Assert.False(File.Exists(Home.File("validator_key.json")));
        Assert.False(NeardHome.RemoveValidatorKey());
    }

    [Fact]
    public void RemoveValidatorKey_DanglingSymlink_IsRemoved()
    {
        File.CreateSymbolicLink(Home.File("validator_key.json"), "/nonexistent/credentials/validator_key.json");

        Assert.True(NeardHome.HasValidatorKey);
        Assert.True(NeardHome.RemoveValidatorKey());
        Assert.Null(new FileInfo(Home.File("validator_key.json")).LinkTarget);
    }

    [Fact]
    public void EveryWrite_LeavesNoTempFileBehind()
    {
        File.WriteAllText(Home.File(".validator_key.json.knd-tmp"), "stale from a crash");

        NeardHome.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), ValidatorAddr, [IPAddress.Loopback]);
        NeardHome.SetExpectedShutdown(1234);
        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);
        NeardHome.InstallValidatorKey(Credentials.File("validator_key.json"));

        Assert.Equal(
            ["config.json", "node_key.json", "validator_key.json"],
            Directory.GetFiles(Home.Path).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    [Fact]
    public void ConfigWrite_KeepsTheFileMode()
    {
        File.SetUnixFileMode(Home.File("config.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Home.File("config.json")));
    }

    [Fact]
    public void KeyFileNames_FromConfig_AreHonoured()
    {
        var config = ReadConfig();
        config["validator_key_file"] = "my_validator.json";
        config["node_key_file"] = "my_node.json";
        File.WriteAllText(Home.File("config.json"), config.ToJsonString());

        NeardHome.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), ValidatorAddr, []);

        Assert.Equal(NeardTestData.ValidatorKey, File.ReadAllText(Home.File("my_validator.json")));
        Assert.Equal(NeardTestData.ValidatorNodeKey, File.ReadAllText(Home.File("my_node.json")));
        Assert.False(File.Exists(Home.File("validator_key.json")));
        Assert.True(NeardHome.RemoveValidatorKey());
        Assert.False(File.Exists(Home.File("my_validator.json")));
    }

    [Fact]
    public void SetExpectedShutdown_WritesTopLevelNumber_AndNullRemovesIt()
    {
        NeardHome.SetExpectedShutdown(187456300);

        Assert.Equal(187456300, ReadConfig()["expected_shutdown"]!.GetValue<long>());
        Assert.Contains("\"expected_shutdown\": 187456300", File.ReadAllText(Home.File("config.json")), StringComparison.Ordinal);

        NeardHome.SetExpectedShutdown(null);

        Assert.False(ReadConfig().ContainsKey("expected_shutdown"));
        Assert.Equal("0.0.0.0:3031", ReadConfig()["rpc"]!["addr"]!.GetValue<string>());
    }

    [Fact]
    public void MalformedConfig_ErrorNamesTheFileAndLine()
    {
        File.WriteAllText(Home.File("config.json"), "{\n  \"network\": {\n    \"addr\": ,\n  }\n}");

        var error = Assert.Throws<NeardHomeException>(() => NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr));

        Assert.Contains(Home.File("config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void MissingConfig_ErrorNamesTheFile()
    {
        File.Delete(Home.File("config.json"));

        var error = Assert.Throws<NeardHomeException>(() => NeardHome.ReadRpcEndpoint());

        Assert.Contains(Home.File("config.json"), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"account_id\":\"a\",\"public_key\":\"ed25519:X\",\"secret_key\":\"" + NeardTestData.ValidatorSecret + "\" oops}", "invalid JSON")]
    [InlineData("{\"account_id\":\"a\",\"secret_key\":\"" + NeardTestData.ValidatorSecret + "\"}", "public_key")]
    [InlineData("{\"account_id\":\"a\",\"public_key\":\"ed25519:X\"}", "secret_key is missing")]
    [InlineData(NeardTestData.ValidatorSecret, "invalid JSON")]
    public void BadValidatorKeyFile_ErrorNamesTheFile_AndNeverTheKey(string content, string problem)
    {
        File.WriteAllText(Credentials.File("validator_key.json"), content);

        var error = Assert.Throws<NeardHomeException>(() => NeardHome.InstallValidatorKey(Credentials.File("validator_key.json")));

        Assert.Contains(Credentials.File("validator_key.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("3D4YudUah", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Home.File("validator_key.json")));
    }

    [Fact]
    public void PrepareVoter_BadVoterNodeKey_StillRemovesTheValidatorKey()
    {
        File.WriteAllText(Home.File("validator_key.json"), NeardTestData.ValidatorKey);
        File.WriteAllText(Credentials.File("voter_node_key.json"), "not json");

        Assert.Throws<NeardHomeException>(() => NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr));

        Assert.False(File.Exists(Home.File("validator_key.json")));
    }

    [Fact]
    public void BadNodeKey_LeavesNoValidatorKeyInTheHome()
    {
        File.WriteAllText(Credentials.File("validator_node_key.json"), "{}");

        Assert.Throws<NeardHomeException>(() => NeardHome.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), ValidatorAddr, []));

        Assert.False(File.Exists(Home.File("validator_key.json")));
    }

    [Theory]
    [InlineData("""{"rpc":{"addr":"0.0.0.0:3031"}}""", "http://127.0.0.1:3031/")]
    [InlineData("""{"rpc":{"addr":"127.0.0.1:4040"}}""", "http://127.0.0.1:4040/")]
    [InlineData("""{"rpc":{"addr":"[::]:3030"}}""", "http://[::1]:3030/")]
    [InlineData("""{"rpc":{"addr":"10.1.2.3:3030"}}""", "http://10.1.2.3:3030/")]
    [InlineData("""{"network":{}}""", "http://127.0.0.1:3030/")]
    [InlineData("""{"rpc":{}}""", "http://127.0.0.1:3030/")]
    public void ReadRpcEndpoint_PollsLoopbackForWildcards(string config, string expected)
    {
        File.WriteAllText(Home.File("config.json"), config);

        Assert.Equal(new Uri(expected), NeardHome.ReadRpcEndpoint());
    }

    [Theory]
    [InlineData("""{"rpc":{"addr":"localhost:3030"}}""")]
    [InlineData("""{"rpc":{"addr":"0.0.0.0"}}""")]
    [InlineData("""{"rpc":{"addr":3030}}""")]
    [InlineData("""{"rpc":"0.0.0.0:3030"}""")]
    public void ReadRpcEndpoint_BadAddr_ErrorNamesTheFile(string config)
    {
        File.WriteAllText(Home.File("config.json"), config);

        var error = Assert.Throws<NeardHomeException>(() => NeardHome.ReadRpcEndpoint());

        Assert.Contains(Home.File("config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("rpc", error.Message, StringComparison.Ordinal);
    }

    private JsonObject ReadConfig() => JsonNode.Parse(File.ReadAllText(Home.File("config.json")))!.AsObject();
}
