using System.Text.Json;

namespace Knd.Tests.NeardSim;

/// <summary>`validators` computed from the duty schedule and the shared ledger (see SimTestHome for the duty heights).</summary>
public sealed class ValidatorsRpcTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: "a.test");

    public ValidatorsRpcTests() => _home.WriteGenesis(validators: ["a.test", "b.test"]);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Current_ExpectedIsDutiesUpToHead_ProducedIsSignedDuties()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(50);
        // a.test duties 40..50: 40 42 43 48 49 50; 49 missed, 41 is no duty (ignored), head 50 signed.
        _home.AppendLedger("a.test", 40, 41, 42, 43, 48, 50);

        var result = Call(node, "[null]");

        Assert.Equal(40, result.GetProperty("epoch_start_height").GetInt64());
        Assert.Equal(1, result.GetProperty("epoch_height").GetInt64());
        AssertCounts(result, "a.test", expected: 6, produced: 5);
        // b.test duties 46 47 49 and head 50, none signed: the unsigned head is not yet known as missed.
        AssertCounts(result, "b.test", expected: 3, produced: 0);
    }

    [Fact]
    public void Current_HeadDutyCountsOnceSigned_AndAsMissedOnceTheHeadMovesOn()
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 40, 42, 43, 48, 49);
        _home.AdvanceToHeight(50);
        AssertCounts(Call(node, "[null]"), "a.test", expected: 5, produced: 5);

        _home.AppendLedger("a.test", 50);
        AssertCounts(Call(node, "[null]"), "a.test", expected: 6, produced: 6);

        _home.AdvanceToHeight(52);
        AssertCounts(Call(node, "[null]"), "a.test", expected: 7, produced: 6);
    }

    [Fact]
    public void Current_EveryCountKind_MirrorsBlocksOnShardZero()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(50);
        _home.AppendLedger("a.test", 40, 42);

        var entry = Entry(Call(node, "[null]"), "a.test");

        Assert.Equal(
            ["account_id", "public_key", "is_slashed", "stake", "shards", "num_produced_blocks", "num_expected_blocks",
             "num_produced_chunks", "num_expected_chunks", "num_produced_chunks_per_shard", "num_expected_chunks_per_shard",
             "num_produced_endorsements", "num_expected_endorsements", "num_produced_endorsements_per_shard",
             "num_expected_endorsements_per_shard", "shards_endorsed"],
            entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            """{"account_id":"a.test","public_key":"ed25519:genesis-a.test","is_slashed":false,"stake":"100000000000000000000000000000000","shards":[0],"num_produced_blocks":2,"num_expected_blocks":5,"num_produced_chunks":2,"num_expected_chunks":5,"num_produced_chunks_per_shard":[2],"num_expected_chunks_per_shard":[5],"num_produced_endorsements":2,"num_expected_endorsements":5,"num_produced_endorsements_per_shard":[2],"num_expected_endorsements_per_shard":[5],"shards_endorsed":[0]}""",
            entry.GetRawText());
    }

    [Fact]
    public void Result_HasNearcoreFieldsInOrder()
    {
        var result = Call(new RpcTestNode(_home), """{"latest":null}""");

        Assert.Equal(
            ["current_validators", "next_validators", "current_fishermen", "next_fishermen", "current_proposals",
             "prev_epoch_kickout", "epoch_start_height", "epoch_height"],
            result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            """[{"account_id":"a.test","public_key":"ed25519:genesis-a.test","stake":"100000000000000000000000000000000","shards":[0]},{"account_id":"b.test","public_key":"ed25519:genesis-b.test","stake":"100000000000000000000000000000000","shards":[0]}]""",
            result.GetProperty("next_validators").GetRawText());
        Assert.Equal("[]", result.GetProperty("current_proposals").GetRawText());
        Assert.Equal("[]", result.GetProperty("current_fishermen").GetRawText());
        Assert.Equal("[]", result.GetProperty("prev_epoch_kickout").GetRawText());
    }

    [Fact]
    public void PrevEpochKickout_BelowEightyPercentOfBlocks_NotEnoughBlocks()
    {
        var node = new RpcTestNode(_home);
        // Epoch 0: a.test 12 of its 13 duties (92 %), b.test 12 of its 16 (75 %).
        _home.AppendLedger("a.test", 0, 7, 12, 15, 20, 27, 28, 29, 30, 31, 32, 38);
        _home.AppendLedger("b.test", 0, 1, 3, 8, 10, 12, 13, 18, 19, 20, 21, 27);
        _home.AdvanceToHeight(45);

        var result = Call(node, "[null]");

        Assert.Equal(
            """[{"account_id":"b.test","reason":{"NotEnoughBlocks":{"produced":12,"expected":16}}}]""",
            result.GetProperty("prev_epoch_kickout").GetRawText());
    }

    [Fact]
    public void PrevEpochKickout_GenesisThresholds_AreUsedAndAccountsSorted()
    {
        _home.WriteGenesis(validators: ["b.test", "a.test"], extraFields: "\"block_producer_kickout_threshold\":95,");
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 0, 7, 12, 15, 20, 27, 28, 29, 30, 31, 32, 38);
        _home.AdvanceToHeight(45);

        var kickouts = Call(node, "[null]").GetProperty("prev_epoch_kickout");

        Assert.Equal(
            """[{"account_id":"a.test","reason":{"NotEnoughBlocks":{"produced":12,"expected":13}}},{"account_id":"b.test","reason":{"NotEnoughBlocks":{"produced":0,"expected":16}}}]""",
            kickouts.GetRawText());
    }

    [Fact]
    public void PrevEpochKickout_OnlyTheChunkThresholdFails_NotEnoughChunks()
    {
        _home.WriteGenesis(validators: ["a.test"], extraFields: "\"block_producer_kickout_threshold\":0,\"chunk_producer_kickout_threshold\":99,");
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 0, 7, 12);
        _home.AdvanceToHeight(45);

        Assert.Equal(
            """[{"account_id":"a.test","reason":{"NotEnoughChunks":{"produced":3,"expected":13}}}]""",
            Call(node, "[null]").GetProperty("prev_epoch_kickout").GetRawText());
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("""{"latest":null}""")]
    public void LatestForms_TheHeadsEpoch(string parameters)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(85);

        Assert.Equal(80, Call(node, parameters).GetProperty("epoch_start_height").GetInt64());
    }

    [Fact]
    public void EpochId_CurrentOrFinished_ThatEpoch_OthersUnknown()
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 40, 42);
        _home.AdvanceToHeight(85);

        var current = Call(node, $$"""{"epoch_id":"{{node.Views.Block(80).Header.EpochId}}"}""");
        var finished = Call(node, $$"""{"epoch_id":"{{node.Views.Block(40).Header.EpochId}}"}""");

        Assert.Equal(80, current.GetProperty("epoch_start_height").GetInt64());
        Assert.Equal(40, finished.GetProperty("epoch_start_height").GetInt64());
        AssertCounts(finished, "a.test", expected: 18, produced: 2);
        Assert.Equal("UNKNOWN_EPOCH", Error(node, $$"""{"epoch_id":"{{node.Views.Block(80).Header.NextEpochId}}"}""").Cause);
        Assert.Equal("UNKNOWN_EPOCH", Error(node, """{"epoch_id":"11111111111111111111111111111111"}""").Cause);
    }

    [Theory]
    [InlineData("[79]")]
    [InlineData("""{"block_id":79}""")]
    public void BlockId_LastBlockOfAFinishedEpoch_ThatWholeEpoch(string parameters)
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 40, 79);
        _home.AdvanceToHeight(85);

        var result = Call(node, parameters);

        Assert.Equal(40, result.GetProperty("epoch_start_height").GetInt64());
        AssertCounts(result, "a.test", expected: 18, produced: 2);
        // Its kickouts are those of epoch 0, in which nobody produced.
        Assert.Equal(2, result.GetProperty("prev_epoch_kickout").GetArrayLength());
    }

    [Fact]
    public void BlockId_HashOfAnEpochsLastBlock_ThatEpoch()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(85);

        var result = Call(node, $$"""{"block_id":"{{node.Views.Block(39).Header.Hash}}"}""");

        Assert.Equal(0, result.GetProperty("epoch_start_height").GetInt64());
    }

    [Theory]
    [InlineData("[60]", "VALIDATOR_INFO_UNAVAILABLE", "Validator info unavailable")]
    [InlineData("""{"block_id":80}""", "VALIDATOR_INFO_UNAVAILABLE", "Validator info unavailable")]
    [InlineData("[85]", "UNKNOWN_EPOCH", "Unknown Epoch")]
    [InlineData("[86]", "UNKNOWN_EPOCH", "Unknown Epoch")]
    [InlineData("""["11111111111111111111111111111111"]""", "UNKNOWN_EPOCH", "Unknown Epoch")]
    public void BlockId_NotAnEpochsLastBlockBeforeTheHead_NearcoreErrors(string parameters, string cause, string data)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(85);

        var (status, error) = ErrorWithStatus(node, parameters);

        Assert.Equal(200, status);
        Assert.Equal((cause, data, "HANDLER_ERROR"), (error.Cause, error.Data, error.Name));
    }

    [Fact]
    public void OldEpochs_BeyondTheFiveKept_UnknownEpoch()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(405);

        // Head in epoch 10: epochs 6..10 are kept, as status.earliest_block_height (240) says.
        Assert.Equal("UNKNOWN_EPOCH", Error(node, "[239]").Cause);
        Assert.Equal("UNKNOWN_EPOCH", Error(node, $$"""{"epoch_id":"{{node.Views.Block(200).Header.EpochId}}"}""").Cause);
        Assert.Equal(240, Call(node, "[279]").GetProperty("epoch_start_height").GetInt64());
        Assert.Equal(240, Call(node, $$"""{"epoch_id":"{{node.Views.Block(240).Header.EpochId}}"}""").GetProperty("epoch_start_height").GetInt64());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"epoch_id":5}""")]
    [InlineData("""{"other":1}""")]
    [InlineData("""{"block_id":null}""")]
    [InlineData("""[true]""")]
    public void BadParams_ParseError(string parameters)
    {
        var (status, error) = ErrorWithStatus(new RpcTestNode(_home), parameters);

        Assert.Equal(400, status);
        Assert.Equal("PARSE_ERROR", error.Cause);
    }

    [Fact]
    public void NodeWithoutKey_ListsGenesisValidatorsOnly_WithTheSameCounts()
    {
        _home.DeleteValidatorKey();
        _home.WriteGenesis(validators: ["a.test"]);
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 40, 42);
        _home.AdvanceToHeight(44);

        var result = Call(node, "[null]");

        Assert.Equal(["a.test"], result.GetProperty("current_validators").EnumerateArray().Select(v => v.GetProperty("account_id").GetString()));
        AssertCounts(result, "a.test", expected: 3, produced: 2);
    }

    private static void AssertCounts(JsonElement result, string account, long expected, long produced)
    {
        var entry = Entry(result, account);
        Assert.Equal(
            (expected, produced),
            (entry.GetProperty("num_expected_blocks").GetInt64(), entry.GetProperty("num_produced_blocks").GetInt64()));
    }

    private static JsonElement Entry(JsonElement result, string account) =>
        result.GetProperty("current_validators").EnumerateArray().Single(v => v.GetProperty("account_id").GetString() == account);

    private static JsonElement Call(RpcTestNode node, string parameters)
    {
        var (status, body) = node.Call($$"""{"jsonrpc":"2.0","method":"validators","params":{{parameters}},"id":1}""");
        Assert.True(status == 200 && body.TryGetProperty("result", out _), body.ToString());
        return body.GetProperty("result");
    }

    private static (string Name, string? Cause, string? Data) Error(RpcTestNode node, string parameters) => ErrorWithStatus(node, parameters).Error;

    private static (int Status, (string Name, string? Cause, string? Data) Error) ErrorWithStatus(RpcTestNode node, string parameters)
    {
        var (status, body) = node.Call($$"""{"jsonrpc":"2.0","method":"validators","params":{{parameters}},"id":1}""");
        Assert.True(body.TryGetProperty("error", out var error), body.ToString());
        return (status, (error.GetProperty("name").GetString()!, error.GetProperty("cause").GetProperty("name").GetString(),
            error.TryGetProperty("data", out var data) ? data.GetString() : null));
    }
}
