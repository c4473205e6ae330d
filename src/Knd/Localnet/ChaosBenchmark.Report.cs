using System.Globalization;
using System.Text.Json;

namespace Knd.Localnet;

/// <summary>The benchmark's output: one line per trial, the summary table, the JSON of contract §10.</summary>
internal sealed partial class ChaosBenchmark
{
    private string Describe(TrialResult trial)
    {
        var head = $"{trial.Fault.Name()} #{trial.Number}: ";
        var notes = trial.Notes.Count > 0 ? " · " + string.Join(" · ", trial.Notes) : string.Empty;
        if (trial.Failure is { } failure)
        {
            return head + $"FAILED on {trial.From}: {failure}{notes}";
        }

        return trial.Failover is null
            ? head + $"{(trial.Fault.IsEndurance(_options.OnEtcd) ? "no knd crashed" : $"{trial.From} kept signing throughout")} (missed {trial.MissedDutyHeights}){notes}"
            : head + string.Create(
                CultureInfo.InvariantCulture,
                $"{trial.From} -> {trial.To} in {trial.Failover!.Value.TotalSeconds:0.0} s (takeover {trial.Takeover?.TotalSeconds ?? double.NaN:0.0} s, first signed height {trial.FirstSignedHeight}; {(trial.InBound ? "within" : "OVER")} bound; missed {trial.MissedDutyHeights}){notes}");
    }

    private async Task ReportAsync(List<FaultSummary> summaries, CancellationToken cancellationToken)
    {
        static string Seconds(long? ms) => ms is { } v ? (v / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";
        var rows = summaries.Select(s => (IReadOnlyList<string>)
        [
            s.Fault, s.Trials.ToString(CultureInfo.InvariantCulture), Seconds(s.FailoverMs.P50), Seconds(s.FailoverMs.P95), Seconds(s.FailoverMs.Max),
            Seconds(s.Takeover.P50), Seconds(s.Takeover.Max), Seconds(s.BoundMs), $"{s.InBound}/{s.Trials}", s.DoubleSignedHeights.ToString(CultureInfo.InvariantCulture),
            s.MissedDutyHeights.ToString(CultureInfo.InvariantCulture), s.FailedTrials.ToString(CultureInfo.InvariantCulture),
            s.KndRssMbMax.ToString("0.0", CultureInfo.InvariantCulture),
        ]).ToList();
        await _output.WriteLineAsync();
        await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{(_options.OnEtcd ? $"etcd ({LocalEtcd.Size} members)" : "dev-consul")}; account: {_options.Producer}; peer channel: {_options.Modes}; TTL {_cluster.Timings.Knd.SessionTtl.TotalSeconds:0.###} s, lock-delay {_cluster.Timings.Knd.LockDelay.TotalSeconds:0.###} s, fence bound {_cluster.Timings.Knd.FenceBound.TotalSeconds:0.###} s"));
        foreach (var line in TextTable.Format(["fault", "trials", "p50 s", "p95 s", "max s", "takeover p50 s", "takeover max s", "bound s", "in bound", "double-signed", "missed duty", "failed", "knd RSS max MB"], rows))
        {
            await _output.WriteLineAsync(line);
        }

        await _output.WriteLineAsync();
        await _output.FlushAsync(cancellationToken);
        if (_options.JsonPath is { } path)
        {
            var json = summaries.Count == 1
                ? JsonSerializer.Serialize(summaries[0], BenchmarkJsonContext.Default.FaultSummary)
                : JsonSerializer.Serialize(summaries, BenchmarkJsonContext.Default.ListFaultSummary);
            await File.WriteAllTextAsync(path, json + "\n", cancellationToken);
        }
    }
}
