using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Knd.Neard;

namespace Knd.Tests.Neard;

/// <summary>
/// --promotion hot-swap: the standby's config.json gets shadow tracking and the public addresses the
/// swapped-in validator advertises, before neard starts (neard reloads neither on SIGHUP), and every
/// other field of the operator's file survives.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HotSwapStandbyTests : NeardHomeFixture
{
    private const string Account = "pool.test";
    private static readonly IPEndPoint VoterAddr = IPEndPoint.Parse("0.0.0.0:24568");
    private static readonly IPEndPoint ValidatorAddr = IPEndPoint.Parse("0.0.0.0:24567");
    private static readonly HotSwapStandby Standby = new(Account, [IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")]);


    [Fact]
    public void HotSwapVoter_NoTrackingKeys_WritesTrackedShardsConfigShadowValidator_AndMemTries()
    {
        WriteConfig("""{"rpc":{"addr":"0.0.0.0:3030"},"network":{"addr":"0.0.0.0:24567"}}""");

        PrepareVoter(Standby);

        var config = ReadConfig();
        Assert.Equal(Account, config["tracked_shards_config"]!["ShadowValidator"]!.GetValue<string>());
        Assert.True(config["store"]!["load_mem_tries_for_tracked_shards"]!.GetValue<bool>());
        Assert.False(config.ContainsKey("tracked_shadow_validator"));
        Assert.False(config.ContainsKey("tracked_shards"));
    }

    [Fact]
    public void HotSwapVoter_KeepsUnknownFieldsTheirOrderAndTheOperatorsSettings()
    {
        WriteConfig("""
            {
              "genesis_file": "genesis.json",
              "rpc": {"addr": "0.0.0.0:3031", "prometheus_addr": null, "cors_allowed_origins": ["*"]},
              "network": {"addr": "0.0.0.0:24567", "boot_nodes": "ed25519:B@35.195.32.249:24567", "max_num_peers": 40, "experimental": {"tier1_enable_inbound": true}},
              "tracked_shards_config": "NoShards",
              "store": {"path": "/data/near", "max_open_files": 10000, "load_mem_tries_for_tracked_shards": false},
              "gc": {"gc_blocks_limit": 2},
              "some_future_field": {"nested": [1, 2, {"deep": "x"}]},
              "gas_limit": 1000000000000000
            }
            """);

        PrepareVoter(Standby);

        var config = ReadConfig();
        Assert.Equal(
            ["genesis_file", "rpc", "network", "tracked_shards_config", "store", "gc", "some_future_field", "gas_limit"],
            config.Select(p => p.Key).ToArray());
        Assert.Equal(["addr", "boot_nodes", "max_num_peers", "experimental", "public_addrs"], config["network"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.True(config["network"]!["experimental"]!["tier1_enable_inbound"]!.GetValue<bool>());
        Assert.Equal("ed25519:B@35.195.32.249:24567", config["network"]!["boot_nodes"]!.GetValue<string>());
        Assert.Equal(["path", "max_open_files", "load_mem_tries_for_tracked_shards"], config["store"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("/data/near", config["store"]!["path"]!.GetValue<string>());
        Assert.Equal(10000, config["store"]!["max_open_files"]!.GetValue<int>());
        Assert.True(config["store"]!["load_mem_tries_for_tracked_shards"]!.GetValue<bool>());
        Assert.Equal("x", config["some_future_field"]!["nested"]![2]!["deep"]!.GetValue<string>());
        Assert.Equal(1000000000000000, config["gas_limit"]!.GetValue<long>());
        Assert.Null(config["rpc"]!["prometheus_addr"]);
        Assert.True(config["rpc"]!.AsObject().ContainsKey("prometheus_addr"));
        Assert.Equal("""{"ShadowValidator":"pool.test"}""", config["tracked_shards_config"]!.ToJsonString());
    }

    [Fact]
    public void HotSwapVoter_AllShards_IsKept()
    {
        WriteConfig("""{"tracked_shards_config":"AllShards"}""");

        PrepareVoter(Standby);

        Assert.Equal("AllShards", ReadConfig()["tracked_shards_config"]!.GetValue<string>());
    }

    [Fact]
    public void HotSwapVoter_OtherShadowValidator_IsReplacedByThisValidator()
    {
        WriteConfig("""{"tracked_shards_config":{"ShadowValidator":"other.test"}}""");

        PrepareVoter(Standby);

        Assert.Equal(Account, ReadConfig()["tracked_shards_config"]!["ShadowValidator"]!.GetValue<string>());
    }

    [Fact]
    public void HotSwapVoter_DeprecatedForm_StaysDeprecated_SoOlderNearcoreReadsIt_AndNewerIsNotGivenBothForms()
    {
        // An older neard's init wrote these; newer nearcore refuses a file that also has tracked_shards_config.
        WriteConfig("""{"tracked_accounts":[],"tracked_shadow_validator":null,"tracked_shards":[],"tracked_shard_schedule":[[0],[1]]}""");

        PrepareVoter(Standby);

        var config = ReadConfig();
        Assert.False(config.ContainsKey("tracked_shards_config"));
        Assert.Equal(Account, config["tracked_shadow_validator"]!.GetValue<string>());
        Assert.Empty(config["tracked_shards"]!.AsArray());
        Assert.False(config.ContainsKey("tracked_shard_schedule"), "a schedule wins over the shadow validator in nearcore");
        Assert.Empty(config["tracked_accounts"]!.AsArray());
        Assert.True(config["store"]!["load_mem_tries_for_tracked_shards"]!.GetValue<bool>());
    }

    [Fact]
    public void HotSwapVoter_DeprecatedNonEmptyTrackedShards_MeansAllShards_IsKept()
    {
        WriteConfig("""{"tracked_shards":[0]}""");

        PrepareVoter(Standby);

        var config = ReadConfig();
        Assert.Equal(0, config["tracked_shards"]![0]!.GetValue<int>());
        Assert.False(config.ContainsKey("tracked_shadow_validator"));
        Assert.False(config.ContainsKey("tracked_shards_config"));
    }

    [Fact]
    public void RestartVoter_AddsNoShadowTracking_AndEmptiesPublicAddrs()
    {
        WriteConfig("""{"tracked_shards_config":"NoShards","network":{"public_addrs":["ed25519:Old@1.2.3.4:24567"]}}""");

        NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        var config = ReadConfig();
        Assert.Equal("NoShards", config["tracked_shards_config"]!.GetValue<string>());
        Assert.False(config.ContainsKey("store"));
        Assert.Empty(config["network"]!["public_addrs"]!.AsArray());
        Assert.Empty(NeardHome.PreparedPublicAddrs);
    }

    [Fact]
    public void HotSwapVoter_PublicAddrs_UseTheVoterNodeKeyAndVoterPort_TheSwappedValidatorRunsWith()
    {
        PrepareVoter(Standby);

        string[] expected = [$"{NeardTestData.VoterNodePublic}@203.0.113.7:24568", $"{NeardTestData.VoterNodePublic}@[2001:db8::7]:24568"];
        Assert.Equal(expected, ReadConfig()["network"]!["public_addrs"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray());
        Assert.Equal(expected, NeardHome.PreparedPublicAddrs);
        Assert.Equal("0.0.0.0:24568", ReadConfig()["network"]!["addr"]!.GetValue<string>());
    }

    [Fact]
    public void HotSwapVoter_NoPublicAddress_LeavesPublicAddrsEmpty_AndTheLogSaysSoInWords()
    {
        PrepareVoter(Standby with { PublicAddresses = [] });

        Assert.Empty(ReadConfig()["network"]!["public_addrs"]!.AsArray());
        Assert.StartsWith("none (", NeardHome.DescribePublicAddrs([]), StringComparison.Ordinal);
    }

    [Fact]
    public void HotSwapPromotion_KeepsPublicAddrsAndTracking_ThenDemotionRestartsAsHotSwapVoter_KeepsThem()
    {
        PrepareVoter(Standby);
        var before = ReadConfig().ToJsonString();

        NeardHome.InstallValidatorKey(Credentials.File("validator_key.json"));
        Assert.Equal(before, ReadConfig().ToJsonString());

        // Demotion stops neard; it starts again as a hot-swap voter, with the same (inert) addresses.
        PrepareVoter(Standby);
        Assert.Equal(before, ReadConfig().ToJsonString());
        Assert.False(NeardHome.HasValidatorKey);
    }

    [Fact]
    public void RestartFallback_PreparesTheValidator_WithValidatorNodeKeyAndPort_KeepingShadowTracking()
    {
        PrepareVoter(Standby);

        NeardHome.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), ValidatorAddr, Standby.PublicAddresses);

        var config = ReadConfig();
        Assert.Equal($"{NeardTestData.ValidatorNodePublic}@203.0.113.7:24567", config["network"]!["public_addrs"]![0]!.GetValue<string>());
        Assert.Equal(Account, config["tracked_shadow_validator"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"store":"rocksdb"}""", "\"store\" is not a JSON object")]
    [InlineData("""{"network":[]}""", "\"network\" is not a JSON object")]
    public void HotSwapVoter_WrongShapeOfAnObjectKndEdits_ErrorNamesTheFileAndField(string content, string problem)
    {
        WriteConfig(content);

        var error = Assert.Throws<NeardHomeException>(() => PrepareVoter(Standby));

        Assert.Contains(Home.File("config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    private void PrepareVoter(HotSwapStandby standby) => NeardHome.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr, standby);

    private void WriteConfig(string content) => File.WriteAllText(Home.File("config.json"), content);

    private JsonObject ReadConfig() => JsonNode.Parse(File.ReadAllText(Home.File("config.json")))!.AsObject();
}
