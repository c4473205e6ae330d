namespace NeardSim.Home;

/// <summary>config.json's <c>sim</c> block: startup, sync and fault knobs (contract §8).</summary>
internal sealed record SimFaultOptions
{
    private const long MaxMs = int.MaxValue;

    public int StartupMs { get; init; }

    public int SyncMs { get; init; }

    public bool RpcHang { get; init; }

    public int? CrashAfterMs { get; init; }

    public int IgnoreSigtermMs { get; init; }

    public WindowsFormat WindowsFormat { get; init; } = WindowsFormat.Tuple;

    /// <summary>False: synced, advancing and holding a key, but never signing (the silent leader).</summary>
    public bool Sign { get; init; } = true;

    /// <summary>
    /// After a hot swap to a key whose account this node does not shadow-track, the new key does
    /// not sign for this long (nearcore #12030, "Node has not caught up yet"). 0 turns it off;
    /// null (absent) leaves it to <c>run --catch-up-after-swap</c> (a few blocks by default).
    /// </summary>
    public int? HotSwapCatchupMs { get; init; }

    /// <summary>Reads tracking as nearcore up to 2.5 did, which ignores <c>tracked_shards_config</c> (an unrecognised field).</summary>
    public bool LegacyTrackingOnly { get; init; }

    public static SimFaultOptions Read(JsonObjectReader? sim)
    {
        if (sim is not { } s)
        {
            return new SimFaultOptions();
        }

        var format = s.String("windows_format") switch
        {
            null or "tuple" => WindowsFormat.Tuple,
            "object" => WindowsFormat.Object,
            var other => throw s.Error("windows_format", $"must be \"tuple\" or \"object\", got '{other}'"),
        };

        return new SimFaultOptions
        {
            StartupMs = (int)(s.Int64("startup_ms", 0, MaxMs) ?? 0),
            SyncMs = (int)(s.Int64("sync_ms", 0, MaxMs) ?? 0),
            RpcHang = s.Bool("rpc_hang") ?? false,
            CrashAfterMs = (int?)s.Int64("crash_after_ms", 0, MaxMs),
            IgnoreSigtermMs = (int)(s.Int64("ignore_sigterm_ms", 0, MaxMs) ?? 0),
            WindowsFormat = format,
            Sign = s.Bool("sign") ?? true,
            HotSwapCatchupMs = (int?)s.Int64("hot_swap_catchup_ms", 0, MaxMs),
            LegacyTrackingOnly = s.Bool("legacy_tracking_only") ?? false,
        };
    }
}
