using System.Text.Json;
using NeardSim.Rpc;

namespace Knd.Tests.NeardSim;

/// <summary>`block` and its author from the ledger (see SimTestHome for the duty heights).</summary>
public sealed class BlockRpcTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: "a.test");

    public BlockRpcTests() => _home.WriteGenesis(validators: ["a.test", "b.test"]);

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData(40, "a.test", true)] // a.test's duty, signed
    [InlineData(46, "b.test", true)] // b.test's duty, signed
    [InlineData(43, NodeViews.OtherProducer, false)] // a.test's duty, nobody signed: skipped, its chunk missing
    [InlineData(41, NodeViews.OtherProducer, true)] // nobody's duty (a stray line at 41 is no block of a.test)
    [InlineData(0, "a.test", true)] // both had duty and both signed: genesis order
    [InlineData(1, "b.test", true)] // b.test's duty, signed
    public void Author_IsTheValidatorWhoseDutyTheLedgerShowsSigned(long height, string author, bool chunkProduced)
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 0, 40, 41, 42);
        _home.AppendLedger("b.test", 0, 1, 46);
        _home.AdvanceToHeight(50);

        var block = Block(node, $$"""{"block_id":{{height}}}""");

        Assert.Equal(author, block.GetProperty("author").GetString());
        Assert.Equal(chunkProduced, block.GetProperty("header").GetProperty("chunk_mask")[0].GetBoolean());
        Assert.Equal(chunkProduced ? 1 : 0, block.GetProperty("header").GetProperty("chunks_included").GetInt32());
    }

    [Fact]
    public void Author_SecondValidatorSignedWhereBothHadDuty_IsThatValidator()
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("b.test", 12);
        _home.AdvanceToHeight(20);

        Assert.Equal("b.test", Block(node, "[12]").GetProperty("author").GetString());
    }

    [Fact]
    public void Author_FollowsTheLedgerAsItGrows()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(50);
        Assert.Equal(NodeViews.OtherProducer, Block(node, "[48]").GetProperty("author").GetString());

        _home.AppendLedger("a.test", 48);

        Assert.Equal("a.test", Block(node, "[48]").GetProperty("author").GetString());
    }

    [Theory]
    [InlineData("""{"finality":"final"}""", 48)]
    [InlineData("""{"finality":"optimistic"}""", 50)]
    [InlineData("[48]", 48)]
    [InlineData("""{"block_id":50}""", 50)]
    public void Author_EveryReferenceForm(string parameters, long height)
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 48, 50);
        _home.AdvanceToHeight(50);

        var block = Block(node, parameters);

        Assert.Equal(height, block.GetProperty("header").GetProperty("height").GetInt64());
        Assert.Equal("a.test", block.GetProperty("author").GetString());
    }

    [Fact]
    public void Block_HeaderFieldsInNearcoreOrder()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(50);

        var block = Block(node, "[45]");

        Assert.Equal(["author", "header", "chunks"], block.EnumerateObject().Select(p => p.Name));
        var header = block.GetProperty("header");
        Assert.Equal(
            ["height", "prev_height", "epoch_id", "next_epoch_id", "hash", "prev_hash", "prev_state_root", "block_body_hash",
             "chunk_receipts_root", "chunk_headers_root", "chunk_tx_root", "outcome_root", "chunks_included", "challenges_root",
             "timestamp", "timestamp_nanosec", "random_value", "validator_proposals", "chunk_mask", "gas_price", "block_ordinal",
             "rent_paid", "validator_reward", "total_supply", "challenges_result", "last_final_block", "last_ds_final_block",
             "next_bp_hash", "block_merkle_root", "epoch_sync_data_hash", "approvals", "signature", "latest_protocol_version"],
            header.EnumerateObject().Select(p => p.Name));
        Assert.Equal(44, header.GetProperty("prev_height").GetInt64());
        Assert.Equal(node.Views.Block(44).Header.Hash, header.GetProperty("prev_hash").GetString());
        Assert.Equal(node.Views.Block(40).Header.EpochId, header.GetProperty("epoch_id").GetString());
        Assert.Equal(1735689604500000000UL, header.GetProperty("timestamp").GetUInt64());
        Assert.Equal("1735689604500000000", header.GetProperty("timestamp_nanosec").GetString());
    }

    [Fact]
    public void Block_GarbageCollectedHeight_UnknownBlockWith422()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(405);

        var (status, body) = node.Call("""{"jsonrpc":"2.0","method":"block","params":{"block_id":239},"id":1}""");

        Assert.Equal(422, status);
        Assert.Equal("UNKNOWN_BLOCK", body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
        Assert.Equal(240, Block(node, "[240]").GetProperty("header").GetProperty("height").GetInt64());
    }

    [Fact]
    public void Block_AboveHead_UnknownBlockWith200()
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(50);

        var (status, body) = node.Call("""{"jsonrpc":"2.0","method":"block","params":[51],"id":1}""");

        Assert.Equal(200, status);
        Assert.Equal("UNKNOWN_BLOCK", body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
    }

    private static JsonElement Block(RpcTestNode node, string parameters)
    {
        var (status, body) = node.Call($$"""{"jsonrpc":"2.0","method":"block","params":{{parameters}},"id":1}""");
        Assert.True(status == 200 && body.TryGetProperty("result", out _), body.ToString());
        return body.GetProperty("result");
    }
}
