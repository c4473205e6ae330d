using NeardSim.Home;

namespace Knd.Tests.NeardSim;

public sealed class HomeFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("neard-sim-home-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Genesis_NanosecondTimeAndSimBlock_AreRead()
    {
        var genesis = GenesisFile.Load(Write("genesis.json", """
            {"chain_id":"c","genesis_time":"2025-02-12T22:10:10.530341781Z","epoch_length":43200,"unknown":{"x":1},
             "validators":[{"account_id":"a"},{"account_id":"b"},{"account_id":"a"}],
             "sim":{"block_interval_ms":250,"duty_seed":9,"duty_percent":50}}
            """));

        Assert.Equal(new DateTimeOffset(2025, 2, 12, 22, 10, 10, TimeSpan.Zero).AddTicks(5303417), genesis.GenesisTime);
        Assert.Equal(43200, genesis.EpochLength);
        Assert.Equal(["a", "b"], genesis.Validators);
        Assert.Equal((250, 9L, 50), (genesis.BlockIntervalMs, genesis.DutySeed, genesis.DutyPercent));
    }

    [Fact]
    public void Genesis_NoSimBlock_UsesContractDefaults()
    {
        var genesis = GenesisFile.Load(Write("genesis.json", """{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10}"""));

        Assert.Equal((500, 7L, 33), (genesis.BlockIntervalMs, genesis.DutySeed, genesis.DutyPercent));
    }

    [Theory]
    [InlineData("""{"chain_id":"c","genesis_time":"yesterday","epoch_length":10}""", "genesis_time")]
    [InlineData("""{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z"}""", "epoch_length")]
    [InlineData("""{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10,"sim":{"duty_percent":101}}""", "sim.duty_percent")]
    [InlineData("""{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10,"sim":{"chunk_only_validators":[1]}}""", "sim.chunk_only_validators")]
    [InlineData("""{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10,"sim":{"chunk_only_validators":"a"}}""", "sim.chunk_only_validators")]
    public void Genesis_BadField_ErrorNamesIt(string json, string field)
    {
        var path = Write("genesis.json", json);

        Assert.Contains(field, Assert.Throws<HomeFileException>(() => GenesisFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_Empty_UsesNeardDefaults()
    {
        var config = ConfigFile.Load(Write("config.json", "{}"));

        Assert.Equal("0.0.0.0:3030", config.RpcAddr);
        Assert.Null(config.ExpectedShutdown);
        Assert.Equal(new SimFaultOptions(), config.Sim);
        Assert.Equal("validator_key.json", config.ValidatorKeyFile);
    }

    [Fact]
    public void Config_AllSimFields_AreRead()
    {
        var config = ConfigFile.Load(Write("config.json", """
            {"rpc":{"addr":"127.0.0.1:4040","polling_config":{}},"network":{"addr":"0.0.0.0:24568","public_addrs":["ed25519:K@1.2.3.4:24567"]},
             "expected_shutdown":99,"store":{"path":"data"},
             "sim":{"startup_ms":1,"sync_ms":2,"rpc_hang":true,"crash_after_ms":3,"ignore_sigterm_ms":4,"windows_format":"object"}}
            """));

        Assert.Equal("127.0.0.1:4040", config.RpcAddr);
        Assert.Equal(99, config.ExpectedShutdown);
        Assert.Equal(["ed25519:K@1.2.3.4:24567"], config.PublicAddrs);
        Assert.Equal(
            new SimFaultOptions { StartupMs = 1, SyncMs = 2, RpcHang = true, CrashAfterMs = 3, IgnoreSigtermMs = 4, WindowsFormat = WindowsFormat.Object },
            config.Sim);
    }

    [Theory]
    [InlineData("""{"expected_shutdown":"soon"}""", "expected_shutdown")]
    [InlineData("""{"rpc":{"addr":"nonsense"}}""", "rpc.addr")]
    [InlineData("""{"sim":{"windows_format":"csv"}}""", "sim.windows_format")]
    [InlineData("""{"sim":{"rpc_hang":"yes"}}""", "sim.rpc_hang")]
    [InlineData("""{"sim":{"sign":"no"}}""", "sim.sign")]
    [InlineData("""{"sim":{"hot_swap_catchup_ms":-1}}""", "sim.hot_swap_catchup_ms")]
    [InlineData("""{"tracked_shards_config":3}""", "tracked_shards_config")]
    [InlineData("""{"tracked_shards_config":{"ShadowValidator":1}}""", "tracked_shards_config")]
    [InlineData("""{"tracked_shadow_validator":1}""", "tracked_shadow_validator")]
    public void Config_BadField_ErrorNamesIt(string json, string field)
    {
        var path = Write("config.json", json);

        Assert.Contains(field, Assert.Throws<HomeFileException>(() => ConfigFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_SignAndCatchUp_AreRead()
    {
        var config = ConfigFile.Load(Write("config.json", """
            {"tracked_shards_config":{"ShadowValidator":"pool.test"},"sim":{"sign":false,"hot_swap_catchup_ms":2500}}
            """));

        Assert.Equal(new SimFaultOptions { Sign = false, HotSwapCatchupMs = 2500 }, config.Sim);
        Assert.Equal(new TrackedShards(false, "pool.test"), config.TrackedShards);
        Assert.True(config.TrackedShards.Covers("pool.test"));
        Assert.False(config.TrackedShards.Covers("other.test"));
    }

    [Theory]
    [InlineData("{}", false, null)]
    [InlineData("""{"tracked_shards_config":"AllShards"}""", true, null)]
    [InlineData("""{"tracked_shards_config":"NoShards"}""", false, null)]
    [InlineData("""{"tracked_shards_config":{"Shards":[0]}}""", false, null)]
    [InlineData("""{"tracked_shards":[0]}""", true, null)]
    [InlineData("""{"tracked_shards":[],"tracked_shadow_validator":"p"}""", false, "p")]
    [InlineData("""{"tracked_shards_config":{"ShadowValidator":"n"},"tracked_shadow_validator":"p","sim":{"legacy_tracking_only":true}}""", false, "p")]
    [InlineData("""{"tracked_shards_config":"AllShards","sim":{"legacy_tracking_only":true}}""", false, null)]
    public void Config_TrackedShards_NewAndDeprecatedKeys(string json, bool all, string? shadow)
    {
        Assert.Equal(new TrackedShards(all, shadow), ConfigFile.Load(Write("config.json", json)).TrackedShards);
    }

    [Theory]
    [InlineData("""{"tracked_shards_config":"NoShards","tracked_shadow_validator":"p"}""", "tracked_shadow_validator")]
    [InlineData("""{"tracked_shards_config":{"ShadowValidator":"p"},"tracked_shards":[]}""", "tracked_shards")]
    public void Config_BothTrackingForms_IsRefused_AsNewerNearcoreDoes(string json, string field)
    {
        var error = Assert.Throws<HomeFileException>(() => ConfigFile.Load(Write("config.json", json)));

        Assert.Equal($"config.json: {field} and tracked_shards_config cannot be both set (nearcore's config validation)", error.Message);
    }

    [Fact]
    public void Genesis_KickoutThresholds_ReadOrMainnetProtocol69Defaults()
    {
        var withThresholds = GenesisFile.Load(Write("genesis.json", """
            {"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10,
             "block_producer_kickout_threshold":90,"chunk_producer_kickout_threshold":85,"chunk_validator_only_kickout_threshold":70}
            """));
        var without = GenesisFile.Load(Write("genesis.json", """{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10}"""));

        Assert.Equal(new global::NeardSim.Chain.KickoutThresholds(90, 85, 70), withThresholds.Kickout);
        Assert.Equal(new global::NeardSim.Chain.KickoutThresholds(80, 80, 80), without.Kickout);
        var error = Assert.Throws<HomeFileException>(() => GenesisFile.Load(Write("genesis.json", """
            {"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10,"block_producer_kickout_threshold":101}
            """)));
        Assert.Contains("block_producer_kickout_threshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_MissingNodeKey_Fails()
    {
        Write("genesis.json", """{"chain_id":"c","genesis_time":"2025-01-01T00:00:00Z","epoch_length":10}""");
        Write("config.json", "{}");

        var error = Assert.Throws<HomeFileException>(() => new NearHome(_dir).LoadAll());

        Assert.Contains("node_key.json", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }
}
