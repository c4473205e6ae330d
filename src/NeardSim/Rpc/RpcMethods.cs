using System.Text.Json;
using System.Text.Json.Nodes;
using NeardSim.Home;
using NeardSim.Node;

namespace NeardSim.Rpc;

/// <summary>The JSON-RPC methods the sim answers, with nearcore's params and errors.</summary>
internal sealed class RpcMethods
{
    private readonly NodeViews _views;
    private readonly NodeState _state;

    public RpcMethods(NodeViews views, NodeState state)
    {
        _views = views;
        _state = state;
    }

    public RpcOutcome Invoke(string method, JsonElement parameters) => method switch
    {
        // status ignores its params, as nearcore does.
        "status" => RpcOutcome.Ok(_views.Status(), RpcJsonContext.Default.StatusView),
        "health" => _state.IsSynced ? RpcOutcome.Null() : RpcError.Handler("NODE_IS_SYNCING", "Node is syncing"),
        "block" => Block(parameters),
        "chunk" => Chunk(parameters),
        "validators" => Validators(parameters),
        "EXPERIMENTAL_maintenance_windows" or "maintenance_windows" => MaintenanceWindows(parameters),
        _ => RpcError.MethodNotFound(method),
    };

    private RpcOutcome Block(JsonElement parameters)
    {
        var head = _views.Clock.Head;
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("finality", out var finality))
        {
            long? finalityHeight = finality.ValueKind != JsonValueKind.String ? null : finality.GetString() switch
            {
                "optimistic" => head,
                "near-final" => head - 1,
                "final" => head - 2,
                _ => null,
            };
            if (finalityHeight is not { } byFinality)
            {
                return RpcError.ParseError("Failed parsing args: unknown variant of `finality`, expected one of `optimistic`, `near-final`, `final`");
            }

            // Final lags the head by two blocks, as with Doomslug finality on a healthy chain.
            return RpcOutcome.Ok(_views.Block(Math.Max(0, byFinality)), RpcJsonContext.Default.BlockView);
        }

        JsonElement blockId;
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("block_id", out var id))
        {
            blockId = id;
        }
        else if (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 1)
        {
            blockId = parameters[0];
        }
        else
        {
            return RpcError.ParseError("Failed parsing args: expected {\"finality\":..} or {\"block_id\":..}");
        }

        if (blockId.ValueKind == JsonValueKind.Number && blockId.TryGetInt64(out var height) && height >= 0)
        {
            if (height > head)
            {
                return RpcError.UnknownBlock(new JsonObject { ["block_id"] = height }, $"DB Not Found Error: BLOCK HEIGHT: {height} \n Cause: Unknown");
            }

            // Garbage-collected, like a neard's blocks older than its kept epochs: below the latest height, so 422.
            return height < _views.EarliestBlock(head)
                ? RpcError.UnknownBlock(new JsonObject { ["block_id"] = height }, $"DB Not Found Error: BLOCK HEIGHT: {height} \n Cause: Unknown", StatusCodes.Status422UnprocessableEntity)
                : RpcOutcome.Ok(_views.Block(height), RpcJsonContext.Default.BlockView);
        }

        if (blockId.ValueKind == JsonValueKind.String)
        {
            // Hashes are one-way here; a sim client asks by height or finality.
            return RpcError.UnknownBlock(new JsonObject { ["block_id"] = blockId.GetString() }, $"DB Not Found Error: BLOCK: {blockId.GetString()} \n Cause: Unknown");
        }

        return RpcError.ParseError("Failed parsing args: block_id must be a height or a hash");
    }

    /// <summary>
    /// nearcore's <c>chunk</c>: by block and shard (<c>{"block_id":H,"shard_id":S}</c> or <c>[H, S]</c>)
    /// the chunk that block includes for the shard; by chunk hash (<c>{"chunk_id":"…"}</c> or
    /// <c>["…"]</c>) UNKNOWN_CHUNK, since the sim's hashes are one-way (a reader asks by block).
    /// </summary>
    private RpcOutcome Chunk(JsonElement parameters)
    {
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("chunk_id", out var chunkId))
        {
            return UnknownChunk(chunkId);
        }

        if (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 1)
        {
            return UnknownChunk(parameters[0]);
        }

        if (!TryBlockAndShard(parameters, out var blockId, out var shardId))
        {
            return RpcError.ParseError("Failed parsing args: expected {\"chunk_id\":..} or {\"block_id\":..,\"shard_id\":..}");
        }

        if (shardId.ValueKind != JsonValueKind.Number || !shardId.TryGetInt64(out var shard) || shard < 0)
        {
            return RpcError.ParseError("Failed parsing args: shard_id must be a whole number");
        }

        if (blockId.ValueKind == JsonValueKind.String)
        {
            return RpcError.UnknownBlock(new JsonObject { ["block_id"] = blockId.GetString() }, $"DB Not Found Error: BLOCK: {blockId.GetString()} \n Cause: Unknown");
        }

        if (blockId.ValueKind != JsonValueKind.Number || !blockId.TryGetInt64(out var height) || height < 0)
        {
            return RpcError.ParseError("Failed parsing args: block_id must be a height or a hash");
        }

        if (height > _views.Clock.Head || height < _views.EarliestBlock(_views.Clock.Head))
        {
            return RpcError.UnknownBlock(new JsonObject { ["block_id"] = height }, $"DB Not Found Error: BLOCK HEIGHT: {height} \n Cause: Unknown");
        }

        if (shard != 0)
        {
            return RpcError.Handler("INVALID_SHARD_ID", $"Shard id {shard} does not exist");
        }

        return RpcOutcome.Ok(_views.Chunk(height), RpcJsonContext.Default.ChunkView);
    }

    private static bool TryBlockAndShard(JsonElement parameters, out JsonElement blockId, out JsonElement shardId)
    {
        (blockId, shardId) = (default, default);
        if (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 2)
        {
            (blockId, shardId) = (parameters[0], parameters[1]);
            return true;
        }

        return parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("block_id", out blockId)
            && parameters.TryGetProperty("shard_id", out shardId);
    }

    private static RpcError UnknownChunk(JsonElement chunkId) =>
        RpcError.Handler("UNKNOWN_CHUNK", $"Chunk Missing (unavailable on the node): {(chunkId.ValueKind == JsonValueKind.String ? chunkId.GetString() : chunkId.GetRawText())}");

    /// <summary>
    /// nearcore's view client: the latest epoch (<c>[null]</c>, <c>{"latest":null}</c>, or the
    /// current epoch's id) as of the head; a finished epoch by its id or by its last block
    /// (<c>[h]</c>, <c>{"block_id":h}</c>); any other block is VALIDATOR_INFO_UNAVAILABLE, and an
    /// unknown epoch or block (the head has no next block yet) is UNKNOWN_EPOCH.
    /// </summary>
    private RpcOutcome Validators(JsonElement parameters)
    {
        JsonElement reference;
        var head = _views.Clock.Head;
        if (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 1)
        {
            reference = parameters[0];
        }
        else if (parameters.ValueKind == JsonValueKind.Object)
        {
            if (parameters.TryGetProperty("latest", out _))
            {
                return Epoch(_views.Clock.EpochOf(head), head);
            }

            if (parameters.TryGetProperty("epoch_id", out var epochId))
            {
                return epochId.ValueKind != JsonValueKind.String
                    ? RpcError.ParseError("Failed parsing args: epoch_id must be a hash string")
                    : _views.EpochWithId(epochId.GetString()!, head) is { } byId ? Epoch(byId, head) : UnknownEpoch();
            }

            if (!parameters.TryGetProperty("block_id", out reference) || reference.ValueKind == JsonValueKind.Null)
            {
                // Only the array form takes null (Option<BlockId>); a block_id must be a height or a hash.
                return RpcError.ParseError("Failed parsing args: expected `epoch_id`, `block_id` or `latest`");
            }
        }
        else
        {
            return RpcError.ParseError("Failed parsing args: expected [null], [block_id] or an epoch reference");
        }

        return reference.ValueKind switch
        {
            JsonValueKind.Null => Epoch(_views.Clock.EpochOf(head), head),
            JsonValueKind.Number when reference.TryGetInt64(out var height) && height >= 0 => ByLastBlock(height, head),
            JsonValueKind.String => _views.EpochEndingWithBlock(reference.GetString()!, head) is { } byHash ? Epoch(byHash, head) : UnknownEpoch(),
            _ => RpcError.ParseError("Failed parsing args: block_id must be a height or a hash"),
        };
    }

    private RpcOutcome ByLastBlock(long height, long head)
    {
        var clock = _views.Clock;
        if (height >= head || height < _views.EarliestBlock(head))
        {
            // Not found, or no next block yet: nearcore maps both to UNKNOWN_EPOCH.
            return UnknownEpoch();
        }

        return height == clock.EpochEnd(height) - 1
            ? Epoch(clock.EpochOf(height), head)
            : RpcError.Handler("VALIDATOR_INFO_UNAVAILABLE", "Validator info unavailable");
    }

    private RpcOutcome MaintenanceWindows(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("account_id", out var account)
            || account.ValueKind != JsonValueKind.String || account.GetString() is not { Length: > 0 } accountId)
        {
            return RpcError.ParseError("Failed parsing args: missing field `account_id`");
        }

        var windows = _views.MaintenanceWindowsFor(accountId);
        return _state.Sim.WindowsFormat == WindowsFormat.Object
            ? RpcOutcome.Ok(windows.Select(w => new WindowObjectView(w.Start, w.End)).ToArray(), RpcJsonContext.Default.WindowObjectViewArray)
            : RpcOutcome.Ok(windows.Select(w => new[] { w.Start, w.End }).ToArray(), RpcJsonContext.Default.Int64ArrayArray);
    }

    private RpcOutcome Epoch(long epoch, long head) =>
        RpcOutcome.Ok(_views.Validators(epoch, head), RpcJsonContext.Default.EpochValidatorInfoView);

    private static RpcError UnknownEpoch() => RpcError.Handler("UNKNOWN_EPOCH", "Unknown Epoch");
}
