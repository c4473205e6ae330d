using System.Text.Json;
using NeardSim.Rpc;

namespace Knd.Tests.NeardSim;

/// <summary>
/// Chunk-only validators (genesis sim.chunk_only_validators): they make the chunk of shard 0 at their
/// duty heights and no blocks, which <c>block</c>'s chunk headers, <c>chunk</c> and <c>validators</c>
/// show (see SimTestHome for the duty heights).
/// </summary>
public sealed class ChunkRpcTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: "b.test");

    public ChunkRpcTests() => _home.WriteGenesis(validators: ["a.test", "b.test"], chunkOnly: ["b.test"]);

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData(46, NodeViews.OtherProducer, "b.test", 46L)] // b.test's chunk duty, signed: its chunk, nobody's block
    [InlineData(49, NodeViews.OtherProducer, "b.test", 49L)] // both had duty, only the chunk-only b.test signed
    [InlineData(47, NodeViews.OtherProducer, "b.test", 46L)] // b.test's duty missed: the chunk of 46 carried over
    [InlineData(40, "a.test", "a.test", 40L)] // a block producer makes its block and the chunk with it
    public void Block_AuthorIsABlockProducer_ItsChunkHeaderSaysWhenTheChunkWasMade(long height, string author, string chunkAuthor, long created)
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("a.test", 40);
        _home.AppendLedger("b.test", 46, 49);
        _home.AdvanceToHeight(55);

        var block = Call(node, "block", $$"""{"block_id":{{height}}}""");

        Assert.Equal(author, block.GetProperty("author").GetString());
        var header = Assert.Single(block.GetProperty("chunks").EnumerateArray());
        Assert.Equal(created, header.GetProperty("height_created").GetInt64());
        Assert.Equal(0, header.GetProperty("shard_id").GetInt64());
        Assert.Equal(created == height, block.GetProperty("header").GetProperty("chunk_mask")[0].GetBoolean());

        var chunk = Call(node, "chunk", $$"""{"block_id":{{height}},"shard_id":0}""");
        Assert.Equal(chunkAuthor, chunk.GetProperty("author").GetString());
        Assert.Equal(created, chunk.GetProperty("header").GetProperty("height_created").GetInt64());
        Assert.Equal(header.GetProperty("chunk_hash").GetString(), chunk.GetProperty("header").GetProperty("chunk_hash").GetString());
        Assert.Equal(chunk.GetProperty("header").GetProperty("chunk_hash").GetString(), Call(node, "chunk", $"[{height}, 0]").GetProperty("header").GetProperty("chunk_hash").GetString());
    }

    [Theory]
    [InlineData("""{"block_id":40,"shard_id":1}""", "INVALID_SHARD_ID")]
    [InlineData("""{"block_id":56,"shard_id":0}""", "UNKNOWN_BLOCK")]
    [InlineData("""{"block_id":"9P8hGUwd4P3quLCQFpnwHXHiAMj3KzoG9GofqVMTBv2S","shard_id":0}""", "UNKNOWN_BLOCK")]
    [InlineData("""{"chunk_id":"EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22"}""", "UNKNOWN_CHUNK")]
    [InlineData("""["EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22"]""", "UNKNOWN_CHUNK")]
    public void Chunk_UnknownReference_IsNearcoresHandlerError(string parameters, string cause)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(55);

        var (_, body) = node.Call($$"""{"jsonrpc":"2.0","method":"chunk","params":{{parameters}},"id":1}""");

        Assert.Equal(cause, body.GetProperty("error").GetProperty("cause").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"block_id":40}""")]
    [InlineData("""{"block_id":40,"shard_id":-1}""")]
    [InlineData("""[40, 0, 1]""")]
    public void Chunk_UnreadableParams_IsAParseError(string parameters)
    {
        var node = new RpcTestNode(_home);
        _home.AdvanceToHeight(55);

        var (_, body) = node.Call($$"""{"jsonrpc":"2.0","method":"chunk","params":{{parameters}},"id":1}""");

        Assert.Equal("REQUEST_VALIDATION_ERROR", body.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public void Validators_ChunkOnlyAccount_HasChunkAndEndorsementDuties_AndNoBlocks()
    {
        var node = new RpcTestNode(_home);
        _home.AppendLedger("b.test", 46, 49);
        _home.AdvanceToHeight(52);

        var validators = Call(node, "validators", "[null]").GetProperty("current_validators").EnumerateArray().ToList();
        var b = validators.Single(v => v.GetProperty("account_id").GetString() == "b.test");
        var a = validators.Single(v => v.GetProperty("account_id").GetString() == "a.test");

        // b.test's duties in 40..51: 46 47 49 50 51 (the head, 52, is not one).
        Assert.Equal((0, 0), (b.GetProperty("num_expected_blocks").GetInt64(), b.GetProperty("num_produced_blocks").GetInt64()));
        Assert.Equal((5, 2), (b.GetProperty("num_expected_chunks").GetInt64(), b.GetProperty("num_produced_chunks").GetInt64()));
        Assert.Equal((5, 2), (b.GetProperty("num_expected_endorsements").GetInt64(), b.GetProperty("num_produced_endorsements").GetInt64()));
        Assert.True(a.GetProperty("num_expected_blocks").GetInt64() > 0);
    }

    private static JsonElement Call(RpcTestNode node, string method, string parameters)
    {
        var (status, body) = node.Call($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":1}""");
        Assert.True(status == 200 && body.TryGetProperty("result", out _), body.ToString());
        return body.GetProperty("result");
    }
}
