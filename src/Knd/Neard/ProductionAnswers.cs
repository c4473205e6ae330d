using System.Globalization;
using System.Text.Json;

namespace Knd.Neard;

/// <summary>
/// The parsers of the answers the production watch reads (<c>validators</c> for one account,
/// <c>block</c> by height, <c>chunk</c> by block and shard), as total functions like <see cref="NeardAnswers"/>: any result gives a
/// value or a <see cref="NeardRpcErrorKind.MalformedResponse"/>, never an exception. They read the
/// JSON tree directly and keep only one account's numbers, so a mainnet-sized validator list costs
/// no objects per validator.
/// </summary>
internal static class ProductionAnswers
{
    /// <summary>The <c>result</c> of <c>validators</c>: the epoch and <paramref name="accountId"/>'s counts in it (null when not a current validator).</summary>
    public static NeardRpcResult<EpochProduction> Production(JsonElement result, string accountId)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return NeardAnswers.Malformed("validators: the result is not an object");
        }

        if (!Integer(result, "epoch_start_height", out var epochStart))
        {
            return NeardAnswers.Malformed("validators: epoch_start_height is missing, not a whole number or negative");
        }

        long? epochHeight = null;
        if (result.TryGetProperty("epoch_height", out var heightElement) && heightElement.ValueKind != JsonValueKind.Null)
        {
            if (!Integer(heightElement, out var height))
            {
                return NeardAnswers.Malformed("validators: epoch_height is not a whole number");
            }

            epochHeight = height;
        }

        if (!result.TryGetProperty("current_validators", out var current) || current.ValueKind != JsonValueKind.Array)
        {
            return NeardAnswers.Malformed("validators: current_validators is missing or not an array");
        }

        AccountProduction? account = null;
        foreach (var entry in current.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("account_id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return NeardAnswers.Malformed("validators: an entry of current_validators is not an object with an account_id");
            }

            if (account is not null || !id.ValueEquals(accountId))
            {
                continue;
            }

            if (Count(entry, "blocks") is not { } blocks || Count(entry, "chunks") is not { } chunks)
            {
                return NeardAnswers.Malformed($"validators: {NeardAnswers.Quote(accountId)} lacks whole, non-negative num_expected/num_produced blocks or chunks");
            }

            var hasEndorsements = entry.TryGetProperty("num_expected_endorsements", out _) || entry.TryGetProperty("num_produced_endorsements", out _);
            var endorsements = Count(entry, "endorsements");
            if (hasEndorsements && endorsements is null)
            {
                return NeardAnswers.Malformed($"validators: {NeardAnswers.Quote(accountId)} has unreadable endorsement counts");
            }

            if (Shards(entry) is not { } shards)
            {
                return NeardAnswers.Malformed($"validators: {NeardAnswers.Quote(accountId)} has a shards field that is not a list of shard ids");
            }

            account = new AccountProduction(blocks, chunks, endorsements, shards);
        }

        return NeardRpcResult<EpochProduction>.Ok(new EpochProduction(epochStart, epochHeight, account));
    }

    /// <summary>The <c>result</c> of <c>block</c>: height, author and timestamp (<c>timestamp_nanosec</c>, else the legacy number).</summary>
    public static NeardRpcResult<NeardBlock> Block(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("author", out var author) || author.ValueKind != JsonValueKind.String
            || author.GetString() is not { Length: > 0 } authorId)
        {
            return NeardAnswers.Malformed("block: author is missing, empty or not a string");
        }

        if (!result.TryGetProperty("header", out var header) || header.ValueKind != JsonValueKind.Object)
        {
            return NeardAnswers.Malformed("block: header is missing or not an object");
        }

        if (!Integer(header, "height", out var height))
        {
            return NeardAnswers.Malformed("block: header.height is missing, not a whole number or negative");
        }

        long timestamp;
        if (header.TryGetProperty("timestamp_nanosec", out var nanos) && nanos.ValueKind == JsonValueKind.String)
        {
            if (!long.TryParse(nanos.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
            {
                return NeardAnswers.Malformed("block: header.timestamp_nanosec is not a whole number of nanoseconds");
            }
        }
        else if (!Integer(header, "timestamp", out timestamp))
        {
            return NeardAnswers.Malformed("block: header has neither timestamp_nanosec nor a whole timestamp");
        }

        var chunks = new List<NeardChunkHeader>();
        if (result.TryGetProperty("chunks", out var chunkList) && chunkList.ValueKind != JsonValueKind.Null)
        {
            if (chunkList.ValueKind != JsonValueKind.Array)
            {
                return NeardAnswers.Malformed("block: chunks is not an array");
            }

            foreach (var chunk in chunkList.EnumerateArray())
            {
                if (chunk.ValueKind != JsonValueKind.Object || !Integer(chunk, "shard_id", out var shard) || !Integer(chunk, "height_created", out var created))
                {
                    return NeardAnswers.Malformed("block: a chunk header lacks a whole shard_id or height_created");
                }

                chunks.Add(new NeardChunkHeader(shard, created));
            }
        }

        return NeardRpcResult<NeardBlock>.Ok(new NeardBlock(height, authorId, timestamp, chunks));
    }

    /// <summary>The <c>result</c> of <c>chunk</c>: its author, and the header's height_created and shard_id.</summary>
    public static NeardRpcResult<NeardChunk> Chunk(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("author", out var author) || author.ValueKind != JsonValueKind.String
            || author.GetString() is not { Length: > 0 } authorId)
        {
            return NeardAnswers.Malformed("chunk: author is missing, empty or not a string");
        }

        if (!result.TryGetProperty("header", out var header) || header.ValueKind != JsonValueKind.Object
            || !Integer(header, "height_created", out var created) || !Integer(header, "shard_id", out var shard))
        {
            return NeardAnswers.Malformed("chunk: header lacks a whole height_created or shard_id");
        }

        return NeardRpcResult<NeardChunk>.Ok(new NeardChunk(authorId, created, shard));
    }

    /// <summary><c>shards</c> (the shards a validator produces chunks for): empty when absent, null when unreadable.</summary>
    private static IReadOnlyList<long>? Shards(JsonElement entry)
    {
        if (!entry.TryGetProperty("shards", out var shards) || shards.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (shards.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var ids = new List<long>();
        foreach (var shard in shards.EnumerateArray())
        {
            if (!Integer(shard, out var id))
            {
                return null;
            }

            ids.Add(id);
        }

        return ids;
    }

    /// <summary><c>num_expected_KIND</c> and <c>num_produced_KIND</c>, or null when either is missing or unreadable.</summary>
    private static DutyCount? Count(JsonElement entry, string kind) =>
        Integer(entry, "num_expected_" + kind, out var expected) && Integer(entry, "num_produced_" + kind, out var produced)
            ? new DutyCount(expected, produced)
            : null;

    private static bool Integer(JsonElement parent, string name, out long value)
    {
        value = 0;
        return parent.TryGetProperty(name, out var element) && Integer(element, out value);
    }

    private static bool Integer(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
    }
}
