using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Knd.Neard;

/// <summary>
/// The parsers of neard's answers, as total functions: any body (garbage, truncated, wrong types,
/// nulls where an object belongs, numbers beyond 64 bits) gives a value or a
/// <see cref="NeardRpcErrorKind.MalformedResponse"/>, never an exception, so one odd answer is one
/// failed call and not a dead caller. <c>NeardRpcFuzzTests</c> holds them to that.
/// </summary>
internal static class NeardAnswers
{
    /// <summary>An answer's text is quoted in an error only this far, so a huge body cannot flood the log.</summary>
    private const int MaxQuotedChars = 80;

    /// <summary>The body of <c>GET /status</c>.</summary>
    public static NeardRpcResult<NeardStatus> Status(byte[] body)
    {
        if (!Utf8.IsValid(body))
        {
            return Malformed("status: the answer is not valid UTF-8");
        }

        var parsed = Deserialize(body, NeardJsonContext.Default.StatusView, "status");
        if (!parsed.TryGetValue(out var view, out var error))
        {
            return error;
        }

        if (view.SyncInfo is not { } syncInfo)
        {
            return Malformed("status: sync_info is missing or null");
        }

        if (syncInfo.LatestBlockHeight is not { } height || height < 0)
        {
            return Malformed("status: sync_info.latest_block_height is missing, null or negative");
        }

        if (syncInfo.Syncing is not { } syncing)
        {
            return Malformed("status: sync_info.syncing is missing or null");
        }

        return NeardRpcResult<NeardStatus>.Ok(new NeardStatus(
            height,
            syncing,
            ParseBlockTime(syncInfo.LatestBlockTime),
            view.ValidatorAccountId,
            view.NodePublicKey,
            view.ChainId,
            view.Version?.Version));
    }

    /// <summary>The <c>result</c> of JSON-RPC <c>block</c>: the block's height.</summary>
    public static NeardRpcResult<long> BlockHeight(JsonElement result)
    {
        var parsed = Deserialize(result, NeardJsonContext.Default.BlockView, "block");
        if (!parsed.TryGetValue(out var block, out var error))
        {
            return error;
        }

        return block.Header?.Height is { } height && height >= 0
            ? NeardRpcResult<long>.Ok(height)
            : Malformed("block: header.height is missing, null or negative");
    }

    /// <summary>The <c>result</c> of JSON-RPC <c>validators</c>.</summary>
    public static NeardRpcResult<NeardValidators> Validators(JsonElement result)
    {
        var parsed = Deserialize(result, NeardJsonContext.Default.ValidatorsView, "validators");
        if (!parsed.TryGetValue(out var view, out var error))
        {
            return error;
        }

        if (view.CurrentValidators is not { } current)
        {
            return Malformed("validators: current_validators is missing or null");
        }

        if (view.EpochStartHeight is not { } epochStart)
        {
            return Malformed("validators: epoch_start_height is missing or null");
        }

        var production = new List<ValidatorProduction>(current.Count);
        foreach (var validator in current)
        {
            if (validator?.AccountId is not { Length: > 0 } accountId)
            {
                return Malformed("validators: an entry of current_validators is null or has no account_id");
            }

            production.Add(new ValidatorProduction(accountId, validator.NumProducedBlocks, validator.NumExpectedBlocks, validator.NumProducedChunks, validator.NumExpectedChunks));
        }

        return NeardRpcResult<NeardValidators>.Ok(new NeardValidators(epochStart, view.EpochHeight, production));
    }

    /// <summary>Text for an error message: at most <see cref="MaxQuotedChars"/> characters of <paramref name="text"/>.</summary>
    public static string Quote(string text) => text.Length <= MaxQuotedChars ? text : text[..MaxQuotedChars] + "...";

    public static NeardRpcError Malformed(string problem) => new(NeardRpcErrorKind.MalformedResponse, problem);

    /// <summary>nearcore writes nanoseconds (9 digits); .NET keeps 7, so the rest is cut before parsing.</summary>
    private static DateTimeOffset? ParseBlockTime(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            text = text[..Math.Min(end, dot + 8)] + text[end..];
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    private static NeardRpcResult<T> Deserialize<T>(JsonElement element, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return element.Deserialize(typeInfo) is { } value
                ? NeardRpcResult<T>.Ok(value)
                : Malformed($"{what}: the result is null");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Malformed($"{what}: {ex.Message}");
        }
    }

    private static NeardRpcResult<T> Deserialize<T>(byte[] body, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo) is { } value
                ? NeardRpcResult<T>.Ok(value)
                : Malformed($"{what}: the body is null");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Malformed($"{what}: {ex.Message}");
        }
    }
}
