using System.Text.Json.Serialization;

namespace Knd.Localnet;

/// <summary>One trial: the fault on the leader, and who signed next, when.</summary>
internal sealed record TrialResult
{
    public required FaultKind Fault { get; init; }

    public required int Number { get; init; }

    public required string From { get; init; }

    public string? To { get; init; }

    /// <summary>Fault injected to first signature by a neard other than the old leader's; null when the trial failed.</summary>
    public TimeSpan? Failover { get; init; }

    public long? FirstSignedHeight { get; init; }

    /// <summary>Fault to the first poll showing a new leader Validating (before its first duty height).</summary>
    public TimeSpan? Takeover { get; init; }

    /// <summary>Whether the first signature came no later than the first duty height after the bound.</summary>
    public bool InBound { get; init; }

    public int MissedDutyHeights { get; init; }

    /// <summary>Why the trial failed; null when it did not.</summary>
    public string? Failure { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The JSON of contract §10, one object per fault kind.</summary>
internal sealed record FaultSummary(
    string Fault,
    int Trials,
    long SessionTtlMs,
    long LockDelayMs,
    long BoundMs,
    FailoverPercentiles FailoverMs,
    int DoubleSignedHeights,
    int MissedDutyHeights,
    int FailedTrials,
    double KndRssMbMax)
{
    /// <summary>Trials whose first signature came at the first duty height after the bound or earlier (table only).</summary>
    [JsonIgnore]
    public int InBound { get; init; }

    /// <summary>Fault to a new leader Validating, as polled (table only).</summary>
    [JsonIgnore]
    public FailoverPercentiles Takeover { get; init; } = new(null, null, null);
}

/// <summary>Failover times in ms over the trials that recovered (null when none did).</summary>
internal sealed record FailoverPercentiles(long? P50, long? P95, long? Max)
{
    /// <summary>Nearest-rank percentiles.</summary>
    public static FailoverPercentiles Of(IReadOnlyList<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return new FailoverPercentiles(null, null, null);
        }

        var sorted = values.Select(v => (long)Math.Round(v.TotalMilliseconds)).Order().ToList();
        long Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return new FailoverPercentiles(Rank(0.50), Rank(0.95), sorted[^1]);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FaultSummary))]
[JsonSerializable(typeof(List<FaultSummary>))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
