namespace Knd.Localnet;

/// <summary>One trial: steady state, fault, the first signature by a new neard, heal.</summary>
internal sealed partial class ChaosBenchmark
{
    private async Task<TrialResult> RunTrialAsync(FaultKind fault, int number, CancellationToken cancellationToken)
    {
        if (await WaitSteadyAsync(cancellationToken) is not { } leader)
        {
            return new TrialResult { Fault = fault, Number = number, From = "-", Failure = $"no steady state within {SteadyTimeout.TotalSeconds:0} s" };
        }

        var ledger = _cluster.Ledger;
        var firstNew = ledger.Entries.Count;
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
        // A switchover that never began leaves the old leader signing, as it should.
        var handedOver = injection.Kind != FaultKind.Switchover || injection.Failure is null;
        if (handedOver && LateOldSignature(injection, oldPids, firstNew) is { } late)
        {
            notes.Add(late);
        }

        var chain = _cluster.Chain;
        var fromHeight = chain.HeadAt(injection.InjectedAt);
        var toHeight = signed?.Height ?? chain.HeadAt(_time.GetUtcNow());
        var missedHeights = chain.DutyHeights(LocalnetOptions.Account, fromHeight, toHeight).Where(h => !ledger.IsSigned(LocalnetOptions.Account, h)).ToList();
        var missed = missedHeights.Count;
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
            InBound = signed is not null && signed.Height <= FirstDutyAfter(injection.MeasureFrom + _cluster.Timings.Bound(fault)),
            MissedDutyHeights = missed,
            Notes = notes,
            Failure = injection.Failure,
        };
        if (result.Failure is null && signed is null)
        {
            result = result with { Failure = $"no neard but the old leader's signed within 3 x the bound ({(3 * _cluster.Timings.Bound(fault)).TotalSeconds:0.0} s) and the duty height after it" };
        }

        return result;
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
