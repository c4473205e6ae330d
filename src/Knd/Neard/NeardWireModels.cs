using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Knd.Neard;

// nearcore's JSON shapes, trimmed to the fields knd reads (../reference/neard.md §0-§4).
// Unknown fields are ignored, so newer neard versions that add fields still parse. Every field
// knd needs is nullable here and checked by NeardAnswers: [JsonRequired] lets an explicit null
// through, which then failed as a NullReferenceException far from the parser.
internal sealed class JsonRpcRequest
{
    public string Jsonrpc { get; init; } = "2.0";

    public string Id { get; init; } = "knd";

    public required string Method { get; init; }

    public JsonNode? Params { get; init; }
}

internal sealed class JsonRpcResponse
{
    public JsonElement? Result { get; init; }

    public JsonRpcErrorView? Error { get; init; }
}

internal sealed class JsonRpcErrorView
{
    public string? Name { get; init; }

    public JsonRpcCauseView? Cause { get; init; }

    public long? Code { get; init; }

    public string? Message { get; init; }

    public JsonElement? Data { get; init; }
}

internal sealed class JsonRpcCauseView
{
    public string? Name { get; init; }
}

internal sealed class StatusView
{
    public StatusVersionView? Version { get; init; }

    public string? ChainId { get; init; }

    public StatusSyncInfoView? SyncInfo { get; init; }

    public string? ValidatorAccountId { get; init; }

    public string? NodePublicKey { get; init; }
}

internal sealed class StatusVersionView
{
    public string? Version { get; init; }

    public string? Build { get; init; }
}

internal sealed class StatusSyncInfoView
{
    public long? LatestBlockHeight { get; init; }

    public bool? Syncing { get; init; }

    public string? LatestBlockTime { get; init; }
}

internal sealed class BlockView
{
    public BlockHeaderView? Header { get; init; }
}

internal sealed class BlockHeaderView
{
    public long? Height { get; init; }
}

internal sealed class ValidatorsView
{
    public List<CurrentValidatorView?>? CurrentValidators { get; init; }

    public long? EpochStartHeight { get; init; }

    public long? EpochHeight { get; init; }
}

internal sealed class CurrentValidatorView
{
    public string? AccountId { get; init; }

    public long NumProducedBlocks { get; init; }

    public long NumExpectedBlocks { get; init; }

    public long NumProducedChunks { get; init; }

    public long NumExpectedChunks { get; init; }
}

internal sealed class WindowObjectView
{
    [JsonRequired]
    public long Start { get; init; }

    [JsonRequired]
    public long End { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonRpcRequest))]
[JsonSerializable(typeof(JsonRpcResponse))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(BlockView))]
[JsonSerializable(typeof(ValidatorsView))]
[JsonSerializable(typeof(List<long[]>))]
[JsonSerializable(typeof(List<WindowObjectView>))]
internal sealed partial class NeardJsonContext : JsonSerializerContext;
