using System.Net;
using System.Text;
using Knd.Neard;
using Knd.Testing;

namespace Knd.Tests.Neard;

/// <summary>The production watch's parsers on nearcore's shapes (neard.md §2-§3) and on the edges that must fail cleanly.</summary>
public sealed class ProductionAnswersTests
{
    [Fact]
    public void Production_ReadsOnlyTheAccountsCounts_WithEndorsementsWhereReported()
    {
        var kiln = Parse(NeardRpcSamples.Validators, "kiln.pool.f863973.m0");
        var mine = Parse(NeardRpcSamples.Validators, "mypool.pool.f863973.m0");

        Assert.Equal(187443633, kiln.EpochStartHeight);
        Assert.Equal(3358, kiln.EpochHeight);
        Assert.Equal(new AccountProduction(new DutyCount(2622, 2622), new DutyCount(9298, 9288), new DutyCount(51020, 51000)), kiln.Account! with { Shards = null });
        Assert.Equal([0L], kiln.Account!.Shards);
        Assert.Equal(new AccountProduction(new DutyCount(12, 10), new DutyCount(41, 40), null), mine.Account! with { Shards = null });
        Assert.Equal(2, mine.Account!.Blocks.Missed);
    }

    [Fact]
    public void Production_AccountNotAmongTheCurrentValidators_IsNull()
    {
        Assert.Null(Parse(NeardRpcSamples.Validators, "nobody.near").Account);
    }

    [Theory]
    [InlineData("""{"current_validators":[],"epoch_start_height":-1}""", "epoch_start_height")]
    [InlineData("""{"current_validators":null,"epoch_start_height":5}""", "current_validators")]
    [InlineData("""{"current_validators":[null],"epoch_start_height":5}""", "account_id")]
    [InlineData("""{"current_validators":[{"account_id":"a","num_expected_blocks":1}],"epoch_start_height":5}""", "lacks")]
    [InlineData("""{"current_validators":[{"account_id":"a","num_expected_blocks":1,"num_produced_blocks":1,"num_expected_chunks":1,"num_produced_chunks":1,"num_expected_endorsements":"x"}],"epoch_start_height":5}""", "endorsement")]
    [InlineData("""{"current_validators":[{"account_id":"a","num_expected_blocks":18446744073709551615,"num_produced_blocks":1,"num_expected_chunks":1,"num_produced_chunks":1}],"epoch_start_height":5}""", "lacks")]
    [InlineData("""{"current_validators":[],"epoch_start_height":5,"epoch_height":"7"}""", "epoch_height")]
    [InlineData("""{"current_validators":[{"account_id":"a","num_expected_blocks":1,"num_produced_blocks":1,"num_expected_chunks":1,"num_produced_chunks":1,"shards":[-1]}],"epoch_start_height":5}""", "shards")]
    [InlineData("""{"current_validators":[{"account_id":"a","num_expected_blocks":1,"num_produced_blocks":1,"num_expected_chunks":1,"num_produced_chunks":1,"shards":0}],"epoch_start_height":5}""", "shards")]
    public void Production_BrokenAnswer_IsMalformedNamingTheField(string result, string field)
    {
        var answer = JsonRpc.ParseAnswer("validators", HttpStatusCode.OK, Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","result":{{result}},"id":"knd"}"""));

        var parsed = ProductionAnswers.Production(answer.Value, "a");

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, parsed.Error?.Kind);
        Assert.Contains(field, parsed.Failed().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_ReadsAuthorHeightAndTheNanosecondTimestamp()
    {
        var answer = JsonRpc.ParseAnswer("block", HttpStatusCode.OK, Encoding.UTF8.GetBytes(NeardRpcSamples.FinalBlock));

        var block = ProductionAnswers.Block(answer.Value);

        Assert.Equal(new NeardBlock(187310138, "node2", 1739254177539033760), block.Value! with { Chunks = null });
        Assert.Empty(block.Value.Chunks!);
    }

    [Fact]
    public void Block_ReadsEachChunkHeadersShardAndHeightCreated()
    {
        var answer = JsonRpc.ParseAnswer("block", HttpStatusCode.OK, Encoding.UTF8.GetBytes(NeardRpcSamples.BlockWithChunks));

        var block = ProductionAnswers.Block(answer.Value).Succeeded();

        Assert.Equal([new NeardChunkHeader(0, 187310140), new NeardChunkHeader(1, 187310138)], block.Chunks);
    }

    [Fact]
    public void Chunk_ReadsAuthorHeightCreatedAndShard()
    {
        var answer = JsonRpc.ParseAnswer("chunk", HttpStatusCode.OK, Encoding.UTF8.GetBytes(NeardRpcSamples.Chunk));

        Assert.Equal(new NeardChunk("chunky.pool.near", 187310140, 0), ProductionAnswers.Chunk(answer.Value).Value);
    }

    [Fact]
    public void UnknownChunk_IsAnRpcErrorWithItsCause()
    {
        var answer = JsonRpc.ParseAnswer("chunk", HttpStatusCode.OK, Encoding.UTF8.GetBytes(NeardRpcSamples.UnknownChunk));

        Assert.Equal(NeardRpcErrorKind.RpcError, answer.Error?.Kind);
        Assert.Equal("UNKNOWN_CHUNK", answer.Failed().RpcCause);
    }

    [Theory]
    [InlineData("""{"author":"","header":{"height_created":7,"shard_id":0}}""", "author")]
    [InlineData("""{"author":"a","header":{"height_created":-7,"shard_id":0}}""", "height_created")]
    [InlineData("""{"author":"a","header":{"height_created":7}}""", "shard_id")]
    [InlineData("""{"author":"a"}""", "header")]
    public void Chunk_BrokenAnswer_IsMalformedNamingTheField(string result, string field)
    {
        var answer = JsonRpc.ParseAnswer("chunk", HttpStatusCode.OK, Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","result":{{result}},"id":"knd"}"""));

        var parsed = ProductionAnswers.Chunk(answer.Value);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, parsed.Error?.Kind);
        Assert.Contains(field, parsed.Failed().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp":1739254177539033760}}""", 1739254177539033760L)]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp":1,"timestamp_nanosec":"2"}}""", 2L)]
    public void Block_TakesTimestampNanosecFirst_ElseTheLegacyNumber(string result, long expected)
    {
        var answer = JsonRpc.ParseAnswer("block", HttpStatusCode.OK, Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","result":{{result}},"id":"knd"}"""));

        Assert.Equal(expected, ProductionAnswers.Block(answer.Value).Succeeded().TimestampNanos);
    }

    [Theory]
    [InlineData("""{"author":"","header":{"height":7,"timestamp":1}}""", "author")]
    [InlineData("""{"author":null,"header":{"height":7,"timestamp":1}}""", "author")]
    [InlineData("""{"author":"a","header":null}""", "header")]
    [InlineData("""{"author":"a","header":{"height":-7,"timestamp":1}}""", "height")]
    [InlineData("""{"author":"a","header":{"height":7}}""", "timestamp")]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp_nanosec":"-5"}}""", "timestamp_nanosec")]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp_nanosec":"99999999999999999999"}}""", "timestamp_nanosec")]
    [InlineData("""[1]""", "author")]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp":1},"chunks":{}}""", "chunks")]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp":1},"chunks":[{"shard_id":0}]}""", "height_created")]
    [InlineData("""{"author":"a","header":{"height":7,"timestamp":1},"chunks":[null]}""", "chunk header")]
    public void Block_BrokenAnswer_IsMalformedNamingTheField(string result, string field)
    {
        var answer = JsonRpc.ParseAnswer("block", HttpStatusCode.OK, Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","result":{{result}},"id":"knd"}"""));

        var parsed = ProductionAnswers.Block(answer.Value);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, parsed.Error?.Kind);
        Assert.Contains(field, parsed.Failed().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownBlock_IsAnRpcErrorWithItsCause()
    {
        var answer = JsonRpc.ParseAnswer("block", HttpStatusCode.UnprocessableEntity, Encoding.UTF8.GetBytes(NeardRpcSamples.UnknownBlock));

        Assert.Equal(NeardRpcErrorKind.RpcError, answer.Error?.Kind);
        Assert.Equal("UNKNOWN_BLOCK", answer.Failed().RpcCause);
    }

    private static EpochProduction Parse(string body, string account)
    {
        var answer = JsonRpc.ParseAnswer("validators", HttpStatusCode.OK, Encoding.UTF8.GetBytes(body));
        var parsed = ProductionAnswers.Production(answer.Value, account);
        Assert.Null(parsed.Error);
        return parsed.Succeeded();
    }
}
