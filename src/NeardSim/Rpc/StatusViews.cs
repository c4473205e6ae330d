namespace NeardSim.Rpc;

// nearcore's StatusResponse (core/primitives/src/views.rs); property order is the wire order.

internal sealed record VersionView(string Version, string Build, string RustcVersion);

internal sealed record ValidatorInfoView(string AccountId, bool IsSlashed);

internal sealed record SyncInfoView(
    string LatestBlockHash,
    long LatestBlockHeight,
    string LatestStateRoot,
    string LatestBlockTime,
    bool Syncing,
    string? EarliestBlockHash,
    long? EarliestBlockHeight,
    string? EarliestBlockTime,
    string? EpochId,
    long? EpochStartHeight);

internal sealed record StatusView(
    VersionView Version,
    string ChainId,
    int ProtocolVersion,
    int LatestProtocolVersion,
    string RpcAddr,
    IReadOnlyList<ValidatorInfoView> Validators,
    SyncInfoView SyncInfo,
    string? ValidatorAccountId,
    string? ValidatorPublicKey,
    string NodePublicKey,
    string? NodeKey,
    long UptimeSec,
    string GenesisHash);
