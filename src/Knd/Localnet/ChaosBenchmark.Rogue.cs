using System.Diagnostics;

namespace Knd.Localnet;

/// <summary>
/// The rogue-signer trial (docs/run-localnet.md): with failover paused and the leader stopped, a
/// neard-sim with the validator key signs outside the cluster. Every node must report it within
/// <see cref="LocalnetTimings.RogueDetectionDutyHeights"/> of its duty heights, nobody may promote
/// while it signs (even after an early <c>knd resume</c>), and once it is stopped and every knd
/// restarted (the operator's way to end the hold) the cluster must sign again.
/// </summary>
internal sealed partial class ChaosBenchmark
{
    private static readonly TimeSpan RogueFirstSignatureTimeout = TimeSpan.FromSeconds(30);

    private async Task<TrialResult> RogueSignerTrialAsync(int number, NodeSnapshot leader, CancellationToken cancellationToken)
    {
        const FaultKind Fault = FaultKind.RogueSigner;
        var timings = _cluster.Timings;
        var ledger = _cluster.Ledger;
        var homes = _cluster.Units.Select(u => u.Layout.Home).ToHashSet();
        var notes = new List<string>();
        var injectedAt = _time.GetUtcNow();
        var missedFrom = _cluster.Chain.HeadAt(injectedAt);
        TrialResult Failed(string why) => new() { Fault = Fault, Number = number, From = leader.NodeId, Failure = why, Notes = notes };

        // Nobody leads: failover paused, then the leader stopped gracefully (the manager restarts it as a passive).
        if (await RunCliAsync(leader.Unit.Layout.ControlSocket, "pause", cancellationToken) is { } pauseRefused)
        {
            return Failed("knd pause: " + pauseRefused);
        }

        var paused = await WaitPollingAsync(s => s.Nodes.All(n => n.Status is { Paused: true }), TimeSpan.FromSeconds(10), cancellationToken);
        if (paused is null)
        {
            return await ResumedAsync(Failed("not every node saw the pause within 10 s"));
        }

        // The leader as of now: under load it may have fenced and been replaced since the steady
        // state; while paused nobody else takes the lock, so this one is the last.
        var current = paused.Leaders.FirstOrDefault()?.Unit ?? leader.Unit;
        var startsBefore = current.Starts;
        await current.TerminateKndAsync(cancellationToken);
        if (await WaitPollingAsync(s => current.Starts > startsBefore && s.Nodes.All(n => n.Status is { State: "Voting", Paused: true, LeaderNodeId: null }), SteadyTimeout, cancellationToken) is null)
        {
            return await ResumedAsync(Failed($"the lock was not free with every node Voting and paused within {SteadyTimeout.TotalSeconds:0} s of stopping the leader"));
        }

        // Every block the rogue signs from now on is one no node of the cluster can have signed.
        await WaitPollingAsync(_ => false, timings.RogueStartAfterFree, cancellationToken);
        var firstRogueLine = ledger.Entries.Count;
        string? violation = null;
        void Check(ClusterSnapshot snapshot)
        {
            violation ??= snapshot.Nodes.FirstOrDefault(n => n.IsLeader || n.Status?.LeaderNodeId is not null) is { } promoted
                ? $"{promoted.NodeId} took the lock while the rogue signed"
                : ledger.Entries.Skip(firstRogueLine).FirstOrDefault(e => homes.Contains(e.Home)) is { } signed
                    ? $"{_cluster.UnitOfHome(signed.Home)?.NodeId} signed height {signed.Height} while the rogue signed"
                    : null;
        }

        var rogue = await _cluster.StartRogueSignerAsync(cancellationToken);
        var detectedInBound = false;
        DateTimeOffset stoppedAt;
        try
        {
            var firstSigned = await WaitPollingAsync(_ => RogueLines(rogue, firstRogueLine).Any(), RogueFirstSignatureTimeout, cancellationToken, Check);
            if (firstSigned is null)
            {
                return await StopThenResumeAsync(rogue, Failed($"the rogue signed nothing within {RogueFirstSignatureTimeout.TotalSeconds:0} s (see rogue/neard.log)"));
            }

            var first = RogueLines(rogue, firstRogueLine).First();
            var detected = await WaitPollingAsync(s => s.Nodes.All(n => n.Status?.Production?.DoppelgangerHeight is not null), TimeSpan.FromSeconds(30), cancellationToken, Check);
            if (detected is null)
            {
                return await StopThenResumeAsync(rogue, Failed($"not every node reported the rogue within 30 s of its first signature (height {first.Height}): {string.Join(", ", (await PollAsync(cancellationToken)).Nodes.Where(n => n.Status?.Production?.DoppelgangerHeight is null).Select(n => n.NodeId))} did not"));
            }

            var before = RogueLines(rogue, firstRogueLine).Count(e => e.Time <= detected.Time);
            notes.Add($"every node reported the rogue {(detected.Time - first.Time).TotalSeconds:0.0} s after its first signature, after {before} of its duty heights (bound {LocalnetTimings.RogueDetectionDutyHeights})");
            detectedInBound = before <= LocalnetTimings.RogueDetectionDutyHeights;

            // The operator resumes too early: the hold must still keep every node off the lock.
            if (await RunCliAsync(leader.Unit.Layout.ControlSocket, "resume", cancellationToken) is { } resumeRefused)
            {
                return await StopThenResumeAsync(rogue, Failed("knd resume: " + resumeRefused));
            }

            var resumedAt = _time.GetUtcNow();
            var after = await WaitPollingAsync(
                s => s.Nodes.All(n => n.Status is { Paused: false }) && RogueLines(rogue, firstRogueLine).Count(e => e.Time > resumedAt) >= LocalnetTimings.RogueHeightsAfterResume,
                TimeSpan.FromSeconds(60),
                cancellationToken,
                Check);
            notes.Add(after is null
                ? "WARNING: the rogue did not sign 5 more heights within 60 s of the early resume"
                : $"resumed early: the rogue signed {RogueLines(rogue, firstRogueLine).Count(e => e.Time > resumedAt)} more heights, nobody promoted");
        }
        finally
        {
            await rogue.DisposeAsync();
            stoppedAt = _time.GetUtcNow();
        }

        Check(await PollAsync(cancellationToken));
        if (violation is not null)
        {
            return Failed(violation);
        }

        // The operator, with the rogue gone, restarts every knd to end the hold (docs/operations.md).
        var starts = _cluster.Units.ToDictionary(u => u.NodeId, u => u.Starts);
        foreach (var unit in _cluster.Units)
        {
            await unit.TerminateKndAsync(cancellationToken);
        }

        var firstNew = ledger.Entries.Count;
        TimeSpan? takeover = null;
        var deadline = 3 * timings.Bound(Fault);
        var signedSnapshot = await WaitPollingAsync(
            s =>
            {
                if (takeover is null && s.Leaders.Count > 0 && _cluster.Units.All(u => u.Starts > starts[u.NodeId]))
                {
                    takeover = s.Time - stoppedAt;
                }

                return ledger.Entries.Skip(firstNew).Any(e => homes.Contains(e.Home) && e.Time >= stoppedAt);
            },
            deadline,
            cancellationToken);
        var signed = ledger.Entries.Skip(firstNew).FirstOrDefault(e => homes.Contains(e.Home) && e.Time >= stoppedAt);
        var missed = _cluster.Chain.DutyHeights(LocalnetOptions.Account, missedFrom, signed?.Height ?? _cluster.Chain.HeadAt(_time.GetUtcNow())).Count(h => !ledger.IsSigned(LocalnetOptions.Account, h));
        var restarted = _cluster.Units.Where(u => u.Starts == starts[u.NodeId]).Select(u => u.NodeId).ToList();
        return new TrialResult
        {
            Fault = Fault,
            Number = number,
            From = leader.NodeId,
            To = signed is null ? null : _cluster.UnitOfHome(signed.Home)?.NodeId,
            Failover = signedSnapshot is null || signed is null ? null : signed.Time - stoppedAt,
            FirstSignedHeight = signed?.Height,
            Takeover = takeover,
            // The issue's bound is the detection's; the recovery is process restarts, reported against its allowance in a note.
            InBound = detectedInBound,
            MissedDutyHeights = missed,
            Notes = [.. notes, signed is not null && signed.Height <= FirstDutyAfter(stoppedAt + timings.Bound(Fault))
                ? "recovery (from the rogue's stop, every knd restarted) within its allowance"
                : $"recovery (from the rogue's stop, every knd restarted) OVER its {timings.Bound(Fault).TotalSeconds:0.##} s allowance"],
            Failure = restarted.Count > 0 ? $"knd was not started again on {string.Join(", ", restarted)}"
                : signed is null ? $"no cluster node signed within {deadline.TotalSeconds:0} s of the rogue's stop and the restarts"
                : null,
        };
    }

    /// <summary>The rogue goes first: resuming while it may still sign unnoticed could let a node promote next to it.</summary>
    private async Task<TrialResult> StopThenResumeAsync(RogueSigner rogue, TrialResult failed)
    {
        await rogue.StopAsync(TimeSpan.FromSeconds(5));
        return await ResumedAsync(failed);
    }

    /// <summary>A trial that failed before its resume must not leave the cluster paused for the next one.</summary>
    private async Task<TrialResult> ResumedAsync(TrialResult failed)
    {
        foreach (var unit in _cluster.Units)
        {
            if (await RunCliAsync(unit.Layout.ControlSocket, "resume", CancellationToken.None) is null)
            {
                break;
            }
        }

        return failed;
    }

    private IEnumerable<LedgerEntry> RogueLines(RogueSigner rogue, int from) =>
        _cluster.Ledger.Entries.Skip(from).Where(e => e.Home == rogue.Home);

    /// <summary>Polls until <paramref name="done"/> holds (that snapshot) or <paramref name="timeout"/> passes (null), showing each snapshot to <paramref name="each"/>.</summary>
    private async Task<ClusterSnapshot?> WaitPollingAsync(Func<ClusterSnapshot, bool> done, TimeSpan timeout, CancellationToken cancellationToken, Action<ClusterSnapshot>? each = null)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var snapshot = await PollAsync(cancellationToken);
            each?.Invoke(snapshot);
            if (done(snapshot))
            {
                return snapshot;
            }

            if (_time.GetElapsedTime(started) >= timeout)
            {
                return null;
            }

            await Task.Delay(TrialPoll, _time, cancellationToken);
        }
    }

    /// <summary>Runs <c>knd COMMAND --control-socket SOCKET</c> as an operator would; null when it exits 0, else what it said.</summary>
    private static async Task<string?> RunCliAsync(string socket, string command, CancellationToken cancellationToken)
    {
        var (knd, prefix) = KndBinaries.Knd();
        var info = new ProcessStartInfo(knd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. prefix, command, "--control-socket", socket])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new LocalnetException($"could not start knd {command}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}".Trim();
    }
}
