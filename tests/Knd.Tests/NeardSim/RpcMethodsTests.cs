using System.Text.Json;

namespace Knd.Tests.NeardSim;

public sealed class RpcMethodsTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: "a.test");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Status_HasNearcoreFieldsInOrder()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(45);

        var result = Result(node, "status", "[]");

        Assert.Equal(
            ["version", "chain_id", "protocol_version", "latest_protocol_version", "rpc_addr", "validators", "sync_info",
             "validator_account_id", "validator_public_key", "node_public_key", "node_key", "uptime_sec", "genesis_hash"],
            result.EnumerateObject().Select(p => p.Name));
        var sync = result.GetProperty("sync_info");
        Assert.Equal(45, sync.GetProperty("latest_block_height").GetInt64());
        Assert.False(sync.GetProperty("syncing").GetBoolean());
        Assert.Equal(40, sync.GetProperty("epoch_start_height").GetInt64());
        Assert.Equal("2025-01-01T00:00:04.500000000Z", sync.GetProperty("latest_block_time").GetString());
        Assert.Equal("a.test", result.GetProperty("validator_account_id").GetString());
        Assert.Equal("ed25519:pk-a.test", result.GetProperty("validator_public_key").GetString());
        Assert.Equal("ed25519:node", result.GetProperty("node_public_key").GetString());
        Assert.Equal("127.0.0.1:3030", result.GetProperty("rpc_addr").GetString());
    }

    [Fact]
    public void Status_NoKeyAndSyncing_NullSignerAndSyncingTrue()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("""{"sim":{"sync_ms":60000}}""");

        var result = Result(new RpcTestNode(_home), "status", "[]");

        Assert.Equal(JsonValueKind.Null, result.GetProperty("validator_account_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("validator_public_key").ValueKind);
        Assert.True(result.GetProperty("sync_info").GetProperty("syncing").GetBoolean());
    }

    [Fact]
    public void Health_WhileSyncing_NodeIsSyncingError()
    {
        _home.WriteConfig("""{"sim":{"sync_ms":60000}}""");

        var (_, body) = new RpcTestNode(_home).Call("""{"jsonrpc":"2.0","method":"health","params":[],"id":1}""");

        Assert.Equal("NODE_IS_SYNCING", body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"finality":"final"}""", 18)]
    [InlineData("""{"finality":"near-final"}""", 19)]
    [InlineData("""{"finality":"optimistic"}""", 20)]
    [InlineData("""{"block_id":5}""", 5)]
    [InlineData("[7]", 7)]
    public void Block_Reference_ReturnsThatHeight(string parameters, long height)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(20);

        var header = Result(node, "block", parameters).GetProperty("header");

        Assert.Equal(height, header.GetProperty("height").GetInt64());
        Assert.Equal(node.Views.Block(height - 1).Header.Hash, header.GetProperty("prev_hash").GetString());
        var nanos = header.GetProperty("timestamp").GetUInt64();
        Assert.Equal(nanos.ToString(System.Globalization.CultureInfo.InvariantCulture), header.GetProperty("timestamp_nanosec").GetString());
        Assert.False(string.IsNullOrEmpty(header.GetProperty("epoch_id").GetString()));
    }

    [Theory]
    [InlineData("final")]
    [InlineData("near-final")]
    public void Block_FinalityAtGenesis_IsHeightZero(string finality)
    {
        var node = new RpcTestNode(_home);

        var header = Result(node, "block", $$"""{"finality":"{{finality}}"}""").GetProperty("header");

        Assert.Equal(0, header.GetProperty("height").GetInt64());
    }

    [Fact]
    public void Block_AboveHead_UnknownBlock()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(20);

        var (status, body) = node.Call("""{"jsonrpc":"2.0","method":"block","params":{"block_id":21},"id":1}""");

        Assert.Equal(200, status);
        Assert.Equal("UNKNOWN_BLOCK", body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
    }

    [Fact]
    public void Validators_CountsLedgerLinesAndDutiesOfTheEpochUpToHead()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(30);
        // Heights 7 and 12 signed (12 by two processes: still one block), 15 missed, 0 signed.
        File.WriteAllLines(_home.LedgerPath,
        [
            """{"height":0,"account_id":"a.test","home":"/x","pid":1,"time":"t"}""",
            """{"height":7,"account_id":"a.test","home":"/x","pid":1,"time":"t"}""",
            """{"height":12,"account_id":"a.test","home":"/x","pid":1,"time":"t"}""",
            """{"height":12,"account_id":"a.test","home":"/y","pid":2,"time":"t"}""",
            """{"height":31,"account_id":"a.test","home":"/x","pid":1,"time":"t"}""",
            """{"height":9,"account_id":"other.test","home":"/x","pid":1,"time":"t"}""",
        ]);

        var result = Result(node, "validators", "[null]");

        var validator = Assert.Single(result.GetProperty("current_validators").EnumerateArray());
        Assert.Equal("a.test", validator.GetProperty("account_id").GetString());
        Assert.Equal(3, validator.GetProperty("num_produced_blocks").GetInt64());
        // Duties in [0, 30]: 0 7 12 15 20 27 28 29 30; the head (30) is unsigned, so not known as missed yet.
        Assert.Equal(8, validator.GetProperty("num_expected_blocks").GetInt64());
        Assert.Equal(0, result.GetProperty("epoch_start_height").GetInt64());
        Assert.Equal(0, result.GetProperty("epoch_height").GetInt64());
    }

    [Fact]
    public void Validators_IncludesThisNodesKeyAccount()
    {
        _home.WriteValidatorKey("pool.test");

        var result = Result(new RpcTestNode(_home), "validators", "[null]");

        Assert.Equal(["a.test", "pool.test"], result.GetProperty("current_validators").EnumerateArray().Select(v => v.GetProperty("account_id").GetString()));
        // The genesis key for a genesis validator, this node's key file's for its own account.
        Assert.Equal(["ed25519:genesis-a.test", "ed25519:pk-pool.test"], result.GetProperty("current_validators").EnumerateArray().Select(v => v.GetProperty("public_key").GetString()));
    }

    [Theory]
    [InlineData("EXPERIMENTAL_maintenance_windows")]
    [InlineData("maintenance_windows")]
    public void MaintenanceWindows_TupleFormat_HalfOpenRangesFromHeadToEpochEnd(string method)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(12);

        var result = Result(node, method, """{"account_id":"a.test"}""");

        Assert.Equal("[[13,15],[16,20],[21,27],[33,38]]", result.GetRawText());
    }

    [Fact]
    public void MaintenanceWindows_ObjectFormat_StartEndObjects()
    {
        _home.WriteConfig("""{"sim":{"windows_format":"object"}}""");
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(33);

        var result = Result(node, "EXPERIMENTAL_maintenance_windows", """{"account_id":"a.test"}""");

        Assert.Equal("""[{"start":33,"end":38}]""", result.GetRawText());
    }

    [Fact]
    public void MaintenanceWindows_NoAccountId_ParseError()
    {
        var (status, body) = new RpcTestNode(_home).Call("""{"jsonrpc":"2.0","method":"maintenance_windows","params":[],"id":1}""");

        Assert.Equal(400, status);
        Assert.Equal("PARSE_ERROR", body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
    }

    private static JsonElement Result(RpcTestNode node, string method, string parameters)
    {
        var (status, body) = node.Call($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":"t"}""");
        Assert.True(status == 200, body.ToString());
        return body.GetProperty("result");
    }
}
