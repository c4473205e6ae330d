namespace Knd.Production;

/// <summary>Production watch log events. EventIds 3250-3299 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3250, Level = LogLevel.Warning, Message = "Chain watch failed: {Error}; passives do not wait for it before taking over while it fails")]
    public static partial void ChainWatchFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 3251, Level = LogLevel.Warning, Message = "Chain watch failed {Count} times in the last {WindowSeconds} s: {Error}")]
    public static partial void ChainWatchStillFailing(this ILogger logger, int count, long windowSeconds, string error);

    [LoggerMessage(EventId = 3252, Level = LogLevel.Information, Message = "Chain watch works again after {Count} failures in {WindowSeconds} s")]
    public static partial void ChainWatchRecovered(this ILogger logger, int count, long windowSeconds);

    [LoggerMessage(EventId = 3253, Level = LogLevel.Error, Message = "Chain watch failed inside knd")]
    public static partial void ChainWatchCrashed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3254, Level = LogLevel.Debug, Message = "The counters of the epoch that started at height {EpochStart} could not be read at its end ({Reason}); its last duties are not counted")]
    public static partial void EpochEndUnknown(this ILogger logger, long epochStart, string reason);

    [LoggerMessage(EventId = 3255, Level = LogLevel.Error, Message = "This leader is not producing: {Mischance} duties missed in a row past --mischance-confidence ({Missed} missed in all); handing over to the readiest passive")]
    public static partial void LeaderNotProducing(this ILogger logger, int mischance, long missed);

    [LoggerMessage(EventId = 3256, Level = LogLevel.Error, Message = "This leader is not producing, but no passive is ready to take over: staying the leader (knd_production_step_down_blocked)")]
    public static partial void StepDownBlocked(this ILogger logger);

    [LoggerMessage(EventId = 3257, Level = LogLevel.Warning, Message = "Stepping down for not producing: handing over to {Target} (head {Height})")]
    public static partial void SteppingDown(this ILogger logger, string target, long? height);

    [LoggerMessage(EventId = 3258, Level = LogLevel.Error, Message = "Another signer: height {Height} was signed with the validator key while no node of this cluster held the lock ({NewBlocks} new such block(s), {Total} in all); no node promotes within the doppelganger window, and the cluster is paused. Find and stop that signer, then see docs/operations.md")]
    public static partial void StrangerBlock(this ILogger logger, long height, long newBlocks, long total);

    [LoggerMessage(EventId = 3259, Level = LogLevel.Error, Message = "Another signer at this leader's duty heights: the chain credits the validator key with {Credited} {Kind} at heights {FromHeight} to {ToHeight} while this node led, but its neard produced {Produced} ({Counter}) ({NewBlocks} new such signature(s), {Total} in all); no node promotes within the doppelganger window, and the cluster is paused. Find and stop that signer, then see docs/operations.md")]
    public static partial void ForeignBlocks(this ILogger logger, int credited, string kind, long fromHeight, long toHeight, long produced, string counter, long newBlocks, long total);

    [LoggerMessage(EventId = 3260, Level = LogLevel.Warning, Message = "neard's /metrics has no {Counter} (or no near_block_height_head): this leader cannot check that the {Kind} the chain credits to the validator are its own (the doppelganger guard's check at the leader's duty heights is off; the rest of the production watch works)")]
    public static partial void NoProducedCounter(this ILogger logger, string counter, string kind);

    [LoggerMessage(EventId = 3261, Level = LogLevel.Warning, Message = "neard does not keep the chunk of shard {ShardId} at height {Height} (UNKNOWN_CHUNK): chunks signed with the validator key on a shard this neard does not track are not seen by the doppelganger guard; let it track the validator's shards (tracked_shards_config; knd writes it with --promotion hot-swap)")]
    public static partial void ChunkNotKept(this ILogger logger, long shardId, long height);
}
