namespace Knd.Localnet;

/// <summary>One trial: steady state, fault, the first signature by a new neard, heal.</summary>
internal sealed partial class ChaosBenchmark
{
    private async Task<TrialResult> RunTrialAsync(FaultKind fault, int number, CancellationToken cancellationToken)
    {
        if (await WaitSteadyAsync(cancellationToken) is not { } leader)
        {
            return new TrialResult { Fault = fault, Number = number, From = "-", Failure = $"no steady state within {SteadyTimeout.TotalSeconds:0} s (last seen: {LastUnsteady})" };
        }

        if (fault == FaultKind.RogueSigner)
        {
            return await RogueSignerTrialAsync(number, leader, cancellationToken);
        }

        if (fault.IsRideThrough(_options.Failsafe) || fault.IsEndurance(_options.OnEtcd))
        {
            return await RideThroughAsync(fault, number, leader, cancellationToken);
        }

        var ledger = _cluster.Ledger;
        var firstNew = ledger.Entries.Count;
        var startsBefore = _cluster.Units.ToDictionary(u => u.NodeId, u => u.Starts);
        var oldPids = new HashSet<int>(ledger.Entries.Where(e => e.Home == leader.Unit.Layout.Home).TakeLast(1).Select(e => e.Pid));
        if (leader.Status?.NeardPid is { } neard)
        {
            oldPids.Add(neard);
        }

        var injection = await _injector.InjectAsync(fault, leader, cancellationToken);
        LedgerEntry? signed;
        TimeSpan? takeover;
        try
        {
            (signed, takeover) = injection.Failure is null ? await WaitForNewSignerAsync(injection, leader.NodeId, oldPids, firstNew, cancellationToken) : (null, null);
            await _injector.HealAsync(injection, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            FaultInjector.AbandonSwitchover(injection);
            throw;
        }

        var notes = new List<string>(injection.Notes);
        var chain = _cluster.Chain;
        var fromHeight = chain.HeadAt(injection.InjectedAt);
        var toHeight = signed?.Height ?? chain.HeadAt(_time.GetUtcNow());
        var missedHeights = chain.DutyHeights(LocalnetOptions.Account, fromHeight, toHeight).Where(h => !ledger.IsSigned(LocalnetOptions.Account, h)).ToList();
        var missed = missedHeights.Count;
        if (signed is null && injection.Failure is null && fault.MayRideThrough(_options.Failsafe))
        {
            var now = await PollAsync(cancellationToken);
            var leaders = now.Leaders.Select(n => (n.NodeId, n.Status?.NeardPid)).ToList();
            if (RodeThrough(ledger.Entries.Skip(firstNew), leader.Unit.Layout.Home, leader.NodeId, oldPids, leaders, missed) is { } rode)
            {
                notes.Add(rode);
                var rideThrough = new TrialResult { Fault = fault, Number = number, From = leader.NodeId, To = leader.NodeId, InBound = true, MissedDutyHeights = missed, Notes = notes };
                return RestartedBystanders(startsBefore, leader.NodeId) is { } crashed ? rideThrough with { Failure = crashed } : rideThrough;
            }
        }

        // A switchover that never began leaves the old leader signing, as it should.
        var handedOver = injection.Kind != FaultKind.Switchover || injection.Failure is null;
        if (handedOver && LateOldSignature(injection, oldPids, firstNew) is { } late)
        {
            notes.Add(late);
        }

        if (fault == FaultKind.Switchover && missed > 0 && signed is not null)
        {
            notes.Add($"WARNING: a planned switchover missed duty height(s) {string.Join(", ", missedHeights)}; it should hand over inside a duty-free window");
        }

        var result = new TrialResult
        {
            Fault = fault,
            Number = number,
            From = leader.NodeId,
            To = signed is null ? null : _cluster.UnitOfHome(signed.Home)?.NodeId ?? signed.Home,
            Failover = signed is null ? null : signed.Time - injection.MeasureFrom,
            FirstSignedHeight = signed?.Height,
            Takeover = takeover,
            InBound = signed is not null && signed.Height <= FirstDutyAfter(BoundEnd(injection)),
            MissedDutyHeights = missed,
            Notes = notes,
            Failure = injection.Failure,
        };
        if (result.Failure is null && signed is null)
        {
            result = result with { Failure = $"no neard but the old leader's signed within 3 x the bound ({(3 * _cluster.Timings.Bound(fault)).TotalSeconds:0.0} s) and the duty height after it" };
        }

        if (result.Failure is null && RestartedBystanders(startsBefore, leader.NodeId) is { } restarted)
        {
            result = result with { Failure = restarted };
        }

        return result;
    }

    /// <summary>
    /// A fault the failsafe may ride out (<see cref="FaultKinds.MayRideThrough"/>) was ridden out
    /// when no other neard signed for the account since the fault, no duty height was missed, and the
    /// old leader still leads with the same neard: a note saying so, or null.
    /// </summary>
    internal static string? RodeThrough(IEnumerable<LedgerEntry> sinceFault, string leaderHome, string leaderNode, IReadOnlySet<int> leaderPids, IReadOnlyList<(string NodeId, int? NeardPid)> leadersNow, int missed)
    {
        var others = sinceFault.Any(e => e.AccountId == LocalnetOptions.Account && (e.Home != leaderHome || !leaderPids.Contains(e.Pid)));
        var same = leadersNow is [var only] && only.NodeId == leaderNode && only.NeardPid is { } pid && leaderPids.Contains(pid);
        return !others && missed == 0 && same ? "the failsafe leader rode through: it took the lost lock back and signed on" : null;
    }

    /// <summary>A knd that the fault did not target but that the manager had to start again: it crashed.</summary>
    private string? RestartedBystanders(Dictionary<string, int> startsBefore, string? target)
    {
        var restarted = _cluster.Units.Where(u => u.NodeId != target && u.Starts != startsBefore[u.NodeId]).Select(u => u.NodeId).ToList();
        return restarted.Count == 0 ? null : $"knd exited and was restarted on {string.Join(", ", restarted)} during the trial (see its knd.log)";
    }

    /// <summary>
    /// A fault that lasts a while. Ride-through faults pass only if the same leader keeps signing
    /// every duty height and nobody else signs; endurance faults only if no knd restarts (a failover
    /// is noted). Failover times do not apply.
    /// </summary>
    private async Task<TrialResult> RideThroughAsync(FaultKind fault, int number, NodeSnapshot leader, CancellationToken cancellationToken)
    {
        var ledger = _cluster.Ledger;
        var firstNew = ledger.Entries.Count;
        var startsBefore = _cluster.Units.ToDictionary(u => u.NodeId, u => u.Starts);
        var injection = await _injector.InjectAsync(fault, leader, cancellationToken);
        var started = _time.GetTimestamp();
        string? leaderChange = null;
        try
        {
            while (injection.Failure is null && _time.GetElapsedTime(started) < _cluster.Timings.Bound(fault))
            {
                var snapshot = await PollAsync(cancellationToken);
                if (leaderChange is null && snapshot.Leaders.FirstOrDefault(n => n.NodeId != leader.NodeId) is { } other)
                {
                    leaderChange = $"{other.NodeId} became leader {(snapshot.Time - injection.InjectedAt).TotalSeconds:0.0} s in";
                }

                await Task.Delay(TrialPoll, _time, cancellationToken);
            }
        }
        finally
        {
            await _injector.HealAsync(injection, CancellationToken.None);
        }

        var chain = _cluster.Chain;
        var to = chain.HeadAt(_time.GetUtcNow());
        var missed = chain.DutyHeights(LocalnetOptions.Account, chain.HeadAt(injection.InjectedAt), to).Count(h => !ledger.IsSigned(LocalnetOptions.Account, h));
        var others = ledger.Entries.Skip(firstNew).Where(e => e.AccountId == LocalnetOptions.Account && e.Home != leader.Unit.Layout.Home).ToList();
        var notes = new List<string>(injection.Notes);
        var strict = fault.IsRideThrough(_options.Failsafe);
        var lapse = leaderChange
            ?? (others.Count > 0 ? $"{others.Count} height(s) signed by another node (first {others[0].Height})" : null)
            ?? (missed > 0 ? $"{missed} duty height(s) missed: the leader stopped signing" : null);
        if (!strict && lapse is not null)
        {
            // An endurance fault may cost a failover; only a crash (or a double sign) fails it.
            notes.Add(lapse);
        }

        var failure = injection.Failure ?? RestartedBystanders(startsBefore, target: null) ?? (strict ? lapse : null);
        return new TrialResult
        {
            Fault = fault,
            Number = number,
            From = leader.NodeId,
            To = leader.NodeId,
            InBound = failure is null,
            MissedDutyHeights = missed,
            Notes = notes,
            Failure = failure,
        };
    }

    /// <summary>
    /// The first ledger line after the measure start from a neard process that is not the old
    /// leader's, and when the polls first showed a new leader Validating.
    /// </summary>
    private async Task<(LedgerEntry? Signed, TimeSpan? Takeover)> WaitForNewSignerAsync(Injection injection, string oldLeader, HashSet<int> oldPids, int firstNew, CancellationToken cancellationToken)
    {
        var deadline = _cluster.Chain.TimeOf(FirstDutyAfter(injection.MeasureFrom + (3 * _cluster.Timings.Bound(injection.Kind)))) + TimeSpan.FromSeconds(1);
        TimeSpan? takeover = null;
        while (true)
        {
            var snapshot = await PollAsync(cancellationToken);
            if (takeover is null && snapshot.Leaders.Any(n => n.NodeId != oldLeader || n.Status?.NeardPid is not { } pid || !oldPids.Contains(pid)))
            {
                takeover = snapshot.Time - injection.MeasureFrom;
            }

            var entries = _cluster.Ledger.Entries;
            for (var i = firstNew; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry.AccountId == LocalnetOptions.Account && entry.Time >= injection.MeasureFrom && !oldPids.Contains(entry.Pid))
                {
                    return (entry, takeover ?? entry.Time - injection.MeasureFrom);
                }
            }

            if (_time.GetUtcNow() > deadline)
            {
                return (null, takeover);
            }

            await Task.Delay(TrialPoll, _time, cancellationToken);
        }
    }

    /// <summary>A note when the old leader's neard signed later than it should have stopped (contract §4.3, §4.5).</summary>
    private string? LateOldSignature(Injection injection, HashSet<int> oldPids, int firstNew)
    {
        var from = injection.Kind == FaultKind.Switchover ? injection.MeasureFrom : injection.InjectedAt;
        var within = _cluster.Timings.OldSignerStopsWithin(injection.Kind);
        var entries = _cluster.Ledger.Entries;
        for (var i = firstNew; i < entries.Count; i++)
        {
            if (oldPids.Contains(entries[i].Pid) && entries[i].Time > from + within)
            {
                return $"WARNING: the old leader's neard signed height {entries[i].Height} {(entries[i].Time - from).TotalSeconds:0.0} s after the fault (expected to stop within {within.TotalSeconds:0.0} s)";
            }
        }

        return null;
    }

    /// <summary>
    /// When the fault's bound ends. silent-leader: the chain's own schedule, not the mean: the
    /// <see cref="LocalnetTimings.SilentLeaderMisses"/>-th duty height after the fault, then the step-down.
    /// </summary>
    private DateTimeOffset BoundEnd(Injection injection)
    {
        if (injection.Kind != FaultKind.SilentLeader)
        {
            return injection.MeasureFrom + _cluster.Timings.Bound(injection.Kind);
        }

        var chain = _cluster.Chain;
        var height = chain.HeadAt(injection.InjectedAt);
        for (var i = 0; i < LocalnetTimings.SilentLeaderMisses; i++)
        {
            height = chain.NextDuty(LocalnetOptions.Account, height + 1);
        }

        return chain.TimeOf(height) + _cluster.Timings.SilentLeaderStepDown;
    }

    /// <summary>The first duty height that becomes the head at or after <paramref name="time"/>.</summary>
    private long FirstDutyAfter(DateTimeOffset time)
    {
        var chain = _cluster.Chain;
        var height = chain.HeadAt(time);
        if (chain.TimeOf(height) < time)
        {
            height++;
        }

        return chain.NextDuty(LocalnetOptions.Account, height);
    }
}
