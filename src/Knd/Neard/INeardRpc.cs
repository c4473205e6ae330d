namespace Knd.Neard;

/// <summary>
/// The neard RPC calls knd makes (the seam to the node's HTTP API). Each call has a timeout and
/// never throws for a node-side failure: the result says hung, refused, not ready, RPC error or
/// malformed. Only cancellation of the caller's token throws.
/// </summary>
internal interface INeardRpc
{
    /// <summary><c>GET /status</c>; 503 is <see cref="NeardRpcErrorKind.NotReady"/>.</summary>
    Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>JSON-RPC <c>block</c> with <c>{"finality":"final"}</c>: the final block's height.</summary>
    Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The heights from the head to the end of the epoch at which <paramref name="accountId"/> has no
    /// block or chunk duty, as half-open ranges (<c>EXPERIMENTAL_maintenance_windows</c>, or
    /// <c>maintenance_windows</c> on a neard that no longer knows the old name).
    /// </summary>
    Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>JSON-RPC <c>validators</c> <c>[null]</c>: the current epoch's validators and their production.</summary>
    Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// JSON-RPC <c>validators</c> for <paramref name="accountId"/>: <c>[null]</c> (the current epoch so far) or,
    /// with <paramref name="epochLastHeight"/>, <c>[H]</c> (the finished epoch whose last height H is).
    /// </summary>
    Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken);

    /// <summary>
    /// JSON-RPC <c>block</c> <c>{"block_id":H}</c>. A height with no block (skipped, garbage-collected, above
    /// the head) is an <see cref="NeardRpcErrorKind.RpcError"/> whose cause is <c>UNKNOWN_BLOCK</c>.
    /// </summary>
    Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken);

    /// <summary>
    /// JSON-RPC <c>chunk</c> <c>{"block_id":H,"shard_id":S}</c>: the chunk that block includes for the shard.
    /// A chunk the node does not keep (a shard it does not track) is an <see cref="NeardRpcErrorKind.RpcError"/>
    /// whose cause is <c>UNKNOWN_CHUNK</c>.
    /// </summary>
    Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken);

    /// <summary><c>GET /metrics</c>, parsed.</summary>
    Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken);
}
