namespace Knd.Logging;

/// <summary>What to log for one failure or success of a repeated operation.</summary>
internal enum FailureLogKind
{
    /// <summary>Nothing: a repeat inside the summary interval, or a success with no failures before it.</summary>
    None,

    /// <summary>The first failure of a run: log it in full.</summary>
    First,

    /// <summary>A summary: <see cref="FailureLogReport.Count"/> failures in the last <see cref="FailureLogReport.Window"/>.</summary>
    Repeated,

    /// <summary>A success after failures: <see cref="FailureLogReport.Count"/> failures in all, over <see cref="FailureLogReport.Window"/>.</summary>
    Recovered,
}

/// <summary>One decision of <see cref="FailureLogLimiter"/>.</summary>
internal readonly record struct FailureLogReport(FailureLogKind Kind, int Count, TimeSpan Window)
{
    public static FailureLogReport Nothing => default;
}

/// <summary>
/// Keeps a failure that repeats (Consul down: every request fails, several a second) to a few log
/// lines: the first failure of a run in full, then at most one summary per <see cref="SummaryInterval"/>
/// ("failed 36 times in the last 8 s"), then one line when it works again. Keyed by operation, so
/// different operations are summarised apart. Thread-safe; time comes from the <see cref="TimeProvider"/>.
/// The caller logs with its own <c>[LoggerMessage]</c> methods, so event ids stay with their folder.
/// </summary>
internal sealed class FailureLogLimiter
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

    public FailureLogLimiter(TimeProvider time, TimeSpan? summaryInterval = null)
    {
        _time = time;
        SummaryInterval = summaryInterval ?? FailoverTimings.Defaults.FailureLogSummaryInterval;
    }

    public TimeSpan SummaryInterval { get; }

    /// <summary>Records a failure of <paramref name="key"/> and says what, if anything, to log.</summary>
    public FailureLogReport Failed(string key)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_runs.TryGetValue(key, out var run))
            {
                _runs[key] = new Run(now);
                return new FailureLogReport(FailureLogKind.First, 1, TimeSpan.Zero);
            }

            run.Total++;
            run.SinceReport++;
            var window = _time.GetElapsedTime(run.ReportedAt, now);
            if (window < SummaryInterval)
            {
                return FailureLogReport.Nothing;
            }

            var report = new FailureLogReport(FailureLogKind.Repeated, run.SinceReport, window);
            run.ReportedAt = now;
            run.SinceReport = 0;
            return report;
        }
    }

    /// <summary>Records a success of <paramref name="key"/>: ends a run of failures, if there was one.</summary>
    public FailureLogReport Succeeded(string key)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_runs.Remove(key, out var run))
            {
                return FailureLogReport.Nothing;
            }

            return new FailureLogReport(FailureLogKind.Recovered, run.Total, _time.GetElapsedTime(run.StartedAt, now));
        }
    }

    /// <summary>Whether <paramref name="key"/> is in a run of failures.</summary>
    public bool IsFailing(string key)
    {
        lock (_gate)
        {
            return _runs.ContainsKey(key);
        }
    }

    private sealed class Run(long startedAt)
    {
        public long StartedAt { get; } = startedAt;

        public long ReportedAt { get; set; } = startedAt;

        public int Total { get; set; } = 1;

        public int SinceReport { get; set; }
    }
}
