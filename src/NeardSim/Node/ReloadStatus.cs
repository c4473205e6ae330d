namespace NeardSim.Node;

/// <summary>The reload metrics at one instant.</summary>
internal sealed record ReloadStatus(
    long ReloadsTotal,
    bool ConfigCorrect,
    DateTimeOffset LastReloadTime,
    IReadOnlyList<(string Value, int Gauge)> ExpectedShutdownSeries);

/// <summary>What a reload did to the validator signer.</summary>
internal enum KeyOutcome
{
    Unchanged,
    Added,
    Changed,

    /// <summary>The key file is gone but the old signer stays (the bug fixed upstream in nearcore 2.3).</summary>
    RemovedButKept,
}

/// <summary>What one successful reload applied; <paramref name="CatchUpMs"/> &gt; 0 when a new key must catch up before it signs.</summary>
internal sealed record ReloadOutcome(long? PreviousShutdown, long? ExpectedShutdown, KeyOutcome Key, long ReloadsTotal, int CatchUpMs = 0);
