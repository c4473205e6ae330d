using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Knd.Neard;

// nearcore's JSON shapes, trimmed to the fields knd reads (../reference/neard.md §0-§4).
// Unknown fields are ignored, so newer neard versions that add fields still parse.
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

    [JsonRequired]
    public StatusSyncInfoView SyncInfo { get; init; } = null!;

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
    [JsonRequired]
    public long LatestBlockHeight { get; init; }

    [JsonRequired]
    public bool Syncing { get; init; }

    public string? LatestBlockTime { get; init; }
}

internal sealed class BlockView
{
    [JsonRequired]
    public BlockHeaderView Header { get; init; } = null!;
}

internal sealed class BlockHeaderView
{
    [JsonRequired]
    public long Height { get; init; }
}

internal sealed class ValidatorsView
{
    [JsonRequired]
    public List<CurrentValidatorView> CurrentValidators { get; init; } = [];

    [JsonRequired]
    public long EpochStartHeight { get; init; }

    public long? EpochHeight { get; init; }
}

internal sealed class CurrentValidatorView
{
    [JsonRequired]
    public string AccountId { get; init; } = string.Empty;

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
