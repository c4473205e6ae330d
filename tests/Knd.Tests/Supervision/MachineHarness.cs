using Knd.Tests.Infrastructure;

namespace Knd.Tests.Supervision;

/// <summary>Drives a <see cref="FailoverMachine"/> with a fake clock and records what it asks for.</summary>
internal sealed class MachineHarness
{
    public const string NodeId = "node-a";
    public const string AccountId = "validator.near";
    public const string Session = "session-1";

    public MachineHarness(PromotionMode promotion = PromotionMode.HotSwap, FailoverTimings? timings = null, ProductionRules? production = null, PeerRules? peers = null, MemberTags? tags = null)
    {
        Timings = timings ?? FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        Clock = new MonotonicClock(Time);
        Machine = new FailoverMachine(Timings, Clock, NodeId, AccountId, promotion, production, peers, tags);
    }

    public FakeTimeProvider Time { get; } = new();

    public MonotonicClock Clock { get; }

    public FailoverTimings Timings { get; }

    public FailoverMachine Machine { get; }

    public List<SupervisorAction> Actions { get; } = [];

    public List<StateTransition> Transitions { get; } = [];

    public int Generation { get; private set; }

    public SupervisorState State => Machine.State;

    /// <summary>Whether the failsafe member list the machine wants published is reported written at once (the shell's record write landing).</summary>
    public bool AutoPublishRoster { get; set; } = true;

    private IReadOnlyList<string>? _rosterWritten;

    private static bool SameList(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    /// <summary>The other members last told to the machine (PeerMembersEvent).</summary>
    public IReadOnlyList<string> Members { get; private set; } = [];

    /// <summary>When the first StopNeardAction of the validating neard was issued, for fence-timing checks.</summary>
    public TimeSpan? StopIssuedAt { get; private set; }

    public IReadOnlyList<SupervisorAction> Send(SupervisorEvent supervisorEvent)
    {
        if (supervisorEvent is PeerMembersEvent members)
        {
            Members = [.. members.NodeIds.Where(n => n != NodeId)];
        }

        var output = Machine.Handle(supervisorEvent);
        if (AutoPublishRoster && supervisorEvent is not FailsafeRosterPublishedEvent
            && Machine.Snapshot().Peers?.Roster is var roster && !SameList(roster, _rosterWritten))
        {
            // The shell writes the member record at once and it lands: tests of a record that does not land turn this off.
            _rosterWritten = roster;
            var written = Machine.Handle(new FailsafeRosterPublishedEvent(Session, roster));
            output = new MachineOutput([.. output.Actions, .. written.Actions], [.. output.Transitions, .. written.Transitions]);
        }

        if (StopIssuedAt is null && Machine.State == SupervisorState.Validating && output.Actions.OfType<StopNeardAction>().Any())
        {
            StopIssuedAt = Clock.Now;
        }

        Actions.AddRange(output.Actions);
        Transitions.AddRange(output.Transitions);
        foreach (var start in output.Actions.OfType<StartNeardAction>())
        {
            Generation = start.Generation;
        }

        return output.Actions;
    }

    /// <summary>Advances the clock by <paramref name="by"/> in tick-sized steps, ticking the machine at each.</summary>
    public List<SupervisorAction> Advance(TimeSpan by)
    {
        var emitted = new List<SupervisorAction>();
        var end = Clock.Now + by;
        while (Clock.Now < end)
        {
            var step = end - Clock.Now < Timings.TickInterval ? end - Clock.Now : Timings.TickInterval;
            Time.Advance(step);
            emitted.AddRange(Send(TickEvent.Instance));
        }

        return emitted;
    }

    /// <summary>
    /// Advances time like <see cref="Advance"/> while a healthy world answers: every renewal
    /// succeeds and neard reports a growing, synced head every half second.
    /// </summary>
    public List<SupervisorAction> AdvanceLive(TimeSpan by)
    {
        var emitted = new List<SupervisorAction>();
        var end = Clock.Now + by;
        while (Clock.Now < end)
        {
            var step = end - Clock.Now < Timings.TickInterval ? end - Clock.Now : Timings.TickInterval;
            foreach (var action in Advance(step))
            {
                emitted.Add(action);
                if (action is RenewSessionAction renew)
                {
                    emitted.AddRange(Send(new SessionRenewedEvent(renew.SessionId, Clock.Now)));
                }
            }

            if (Clock.Now >= _nextSample)
            {
                _nextSample = Clock.Now + TimeSpan.FromMilliseconds(500);
                var validator = Machine.IsLeader ? AccountId : null;
                emitted.AddRange(Send(new StatusPolledEvent(Generation, new NeardHealthSample(++_height, false, validator, null))));
            }
        }

        return emitted;
    }

    private TimeSpan _nextSample;
    private long _height = 1000;

    public IReadOnlyList<SupervisorAction> Synced(long height = 100) =>
        Send(new StatusPolledEvent(Generation, new NeardHealthSample(height, false, null, null)));

    public IReadOnlyList<SupervisorAction> Syncing(long height = 100) =>
        Send(new StatusPolledEvent(Generation, new NeardHealthSample(height, true, null, null)));

    public IReadOnlyList<SupervisorAction> RpcFails() =>
        Send(new StatusPolledEvent(Generation, NeardHealthSample.Failed("timeout")));

    public IReadOnlyList<SupervisorAction> RenewOk(TimeSpan? sentAt = null) =>
        Send(new SessionRenewedEvent(Session, sentAt ?? Clock.Now));

    public IReadOnlyList<SupervisorAction> ObserveLock(string? holder, ulong index, string? handoverTo = null, string nodeId = "node-b") =>
        Send(new LockObservedEvent(new LockObservation(true, holder, new LockHolder(nodeId, handoverTo), index, index)));

    /// <summary>What the maintenance coordinator posts once neard confirmed the height: tied to the current neard and leadership.</summary>
    public IReadOnlyList<SupervisorAction> ScheduleMaintenance(MaintenanceKind kind, long height)
    {
        var snapshot = Machine.Snapshot();
        return Send(new MaintenanceScheduledEvent(kind, height, snapshot.NeardGeneration, snapshot.FencingIndex ?? 0));
    }

    /// <summary>Startup → Syncing → Registering with neard (pid 100) synced.</summary>
    public void StartAndSync()
    {
        Send(TickEvent.Instance);
        Send(new NeardStartedEvent(Generation, 100));
        Synced();
    }

    /// <summary>... → Voting with session <see cref="Session"/>.</summary>
    public void StartAndVote()
    {
        StartAndSync();
        Send(new SessionCreatedEvent(Session, Clock.Now));
    }

    /// <summary>... → Validating, promoted (key installed for hot swap, validator neard running for restart).</summary>
    public void StartAndLead(ulong fencingIndex = 42)
    {
        StartAndVote();
        StartLeadingFromVoting(fencingIndex);
    }

    /// <summary>From Voting: the lock is seen free, acquired, confirmed, and the promotion done.</summary>
    public void StartLeadingFromVoting(ulong fencingIndex = 42)
    {
        Send(new LockObservedEvent(LockObservation.Free(7)));
        Send(new AcquireCompletedEvent(Session, LockAcquireOutcome.Acquired));
        Send(new LockConfirmedEvent(Session, true, fencingIndex, null));
        if (Actions.OfType<InstallKeyAction>().Any())
        {
            Send(new KeyInstalledEvent(Generation, null));
            Send(new StatusPolledEvent(Generation, new NeardHealthSample(101, false, AccountId, null)));
        }
        else
        {
            Send(new NeardStoppedEvent(Generation, true, "exited after SIGTERM"));
            Send(new NeardStartedEvent(Generation, 200));
            Send(new StatusPolledEvent(Generation, new NeardHealthSample(101, false, AccountId, null)));
        }
    }

    public T Last<T>()
        where T : SupervisorAction => Actions.OfType<T>().Last();

    public int IndexOf<T>()
        where T : SupervisorAction => Actions.FindIndex(a => a is T);
}
