using System.Diagnostics.Metrics;

namespace Knd.Metrics;

/// <summary>The callbacks of the observable instruments; each reads one snapshot once.</summary>
internal sealed partial class KndMetrics
{
    private static readonly SupervisorState[] States = Enum.GetValues<SupervisorState>();
    private static readonly DemotionReason[] Reasons = Enum.GetValues<DemotionReason>();
    private static readonly KeyValuePair<string, object?>[] StateTags = [.. States.Select(s => new KeyValuePair<string, object?>("state", s.ToString()))];
    private static readonly KeyValuePair<string, object?>[] ReasonTags = [.. Reasons.Select(r => new KeyValuePair<string, object?>("reason", SnakeCase.From(r.ToString())))];

    private static int Flag(bool value) => value ? 1 : 0;

    /// <summary>
    /// All six series from one read of the state, so a scrape sees exactly one state at 1 however
    /// the loop races it.
    /// </summary>
    private Measurement<int>[] ObserveState()
    {
        var current = _status.Snapshot?.State ?? SupervisorState.Startup;
        var measurements = new Measurement<int>[States.Length];
        for (var i = 0; i < States.Length; i++)
        {
            measurements[i] = new Measurement<int>(Flag(States[i] == current), StateTags[i]);
        }

        return measurements;
    }

    private Measurement<long>[] ObserveDemotions()
    {
        var counters = _status.Counters;
        var measurements = new Measurement<long>[Reasons.Length];
        for (var i = 0; i < Reasons.Length; i++)
        {
            measurements[i] = new Measurement<long>(counters?.Demotions(Reasons[i]) ?? 0, ReasonTags[i]);
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveConsulRequests() =>
        [.. _consulRequests.Select(pair => new Measurement<long>(
            Interlocked.Read(ref pair.Value.Value),
            new KeyValuePair<string, object?>("op", pair.Key.Op),
            new KeyValuePair<string, object?>("outcome", pair.Key.Outcome)))];

    private Measurement<double>[] ObserveRenewAge()
    {
        if (_status.Snapshot is not { LastRenewAge: { } age } snapshot)
        {
            return [];
        }

        // Aged to now, not to when the snapshot was taken, so a stalled loop shows.
        return [new Measurement<double>((age + (_status.Clock.Now - snapshot.TakenAt)).TotalSeconds)];
    }

    private Measurement<long>[] ObserveBlockHeight() =>
        _status.Snapshot?.BlockHeight is { } height ? [new Measurement<long>(height)] : [];

    private Measurement<int>[] ObserveSyncing() =>
        _status.Snapshot?.Syncing is { } syncing ? [new Measurement<int>(Flag(syncing))] : [];

    private Measurement<long>[] ObserveFencingIndex() =>
        _status.Snapshot?.FencingIndex is { } index ? [new Measurement<long>(unchecked((long)index))] : [];

    /// <summary>A snapshot's time left, aged to now like the renewal age, never below 0.</summary>
    private double Remaining(TimeSpan? left)
    {
        if (left is not { } value || _status.Snapshot is not { } snapshot)
        {
            return 0;
        }

        var now = value - (_status.Clock.Now - snapshot.TakenAt);
        return now > TimeSpan.Zero ? now.TotalSeconds : 0;
    }

    private Measurement<int> ObserveBuildInfo() => new(1, new KeyValuePair<string, object?>("version", _version));
}
