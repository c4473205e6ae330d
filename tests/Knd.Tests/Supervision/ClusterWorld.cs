using Knd.Tests.Infrastructure;

namespace Knd.Tests.Supervision;

/// <summary>A fault the model injects: on one node, or on the lock service itself.</summary>
public enum WorldFault
{
    /// <summary>Every request of the node times out and its watch stops answering.</summary>
    PartitionNode,

    /// <summary>The service has no leader: every request fails at once; no session expires meanwhile, and all timers restart when it is back.</summary>
    ServiceNoLeader,

    /// <summary>The service is down for a while, then comes back empty: no sessions, no keys, a low index.</summary>
    ServiceRestartEmpty,

    /// <summary>A snapshot restore of the same data: every index drops to a low value.</summary>
    ServiceIndexRegression,

    /// <summary>Every answer comes late, just within the request timeout.</summary>
    ServiceSlow,

    /// <summary>Every answer comes late, and some only after the request timeout (they count as timeouts).</summary>
    ServiceVerySlow,

    /// <summary>The node's neard crashes.</summary>
    CrashNeard,

    /// <summary>The node's knd dies (its neard with it, by the parent-death signal) and is started again with no memory.</summary>
    RestartKnd,

    /// <summary>The node's peer channel is cut (heartbeats and promises to and from it are lost); Consul still answers it.</summary>
    PartitionPeers,

    /// <summary>The node is cut off from everything: Consul and its peers.</summary>
    IsolateNode,

    /// <summary>Whichever node leads at that moment: its knd dies (neard with it) and starts again with no memory.</summary>
    RestartLeader,
}

/// <summary>One fault of a plan: when, what, on which node (where it applies), and for how long.</summary>
internal sealed record PlannedFault(int AtMs, WorldFault Kind, int Node, int DurationMs)
{
    public override string ToString() => $"{Kind}@{AtMs}ms(node {Node}, {DurationMs}ms)";
}

/// <summary>A whole schedule: the seed of the world's own randomness (latencies), the cluster, its peer-channel modes, and the faults.</summary>
/// <summary>A model run's plan; <paramref name="NeardStopTimeoutMs"/> overrides the SIGTERM grace (null: knd's default) to replay a plan found under another default.</summary>
internal sealed record WorldPlan(int Seed, int Nodes, bool HotSwap, PlannedFault[] Faults, bool FastFailover = false, bool Failsafe = false, int? NeardStopTimeoutMs = null)
{
    public override string ToString() =>
        $"seed {Seed}, {Nodes} nodes, {(HotSwap ? "hot-swap" : "restart")}{(FastFailover ? ", fast failover" : "")}{(Failsafe ? ", failsafe" : "")}: [{string.Join(", ", Faults.Select(f => f.ToString()))}]";
}

/// <summary>
/// Several real <see cref="FailoverMachine"/>s against a model of the lock service (Consul's rules:
/// sessions that expire TTL after the last renewal it processed, at the earliest; lock-delay after an
/// invalidation; a blocking watch per node) and a model neard per node, under a planned schedule of
/// faults. After every step it checks the one promise: never two neards signing with the key, and no
/// lock given up or session lost while its holder's neard still signs.
/// </summary>
internal sealed class ClusterWorld
{
    private const string Account = "validator.near";
    private static readonly TimeSpan WatchIdle = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly Random _random;
    private readonly Random _rosterRandom;
    private readonly WorldPlan _plan;
    private readonly List<Scheduled> _queue = [];
    private readonly Node[] _nodes;
    private readonly Dictionary<string, StoredSession> _sessions = [];
    private long _sequence;
    private int _sessionCounter;

    // The lock service: one lock key, a global index, a lock-delay, faults.
    private ulong _index = 20;
    private bool _keyExists;
    private string? _holder;
    private LockHolder? _value;
    private ulong _modifyIndex;
    private TimeSpan _lockDelayUntil;
    private TimeSpan _noLeaderUntil;
    private TimeSpan _downUntil;
    private TimeSpan _slowUntil;
    private TimeSpan _verySlowUntil;

    public ClusterWorld(WorldPlan plan)
    {
        _plan = plan;
        _random = new Random(plan.Seed);
        _rosterRandom = new Random(plan.Seed ^ 0x5eed);
        var stop = plan.NeardStopTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        Timings = FailoverTimings.From(TimeSpan.FromSeconds(10), plan.FastFailover ? null : TimeSpan.FromSeconds(5), stop, TimeSpan.FromSeconds(30), plan.FastFailover);
        Peers = new PeerRules { FastFailover = plan.FastFailover, Failsafe = plan.Failsafe };
        _nodes = [.. Enumerable.Range(0, plan.Nodes).Select(i => new Node(i))];
        foreach (var fault in plan.Faults)
        {
            At(TimeSpan.FromMilliseconds(fault.AtMs), () => Inject(fault));
        }
    }

    public FailoverTimings Timings { get; }

    public PeerRules Peers { get; }

    public List<string> Violations { get; } = [];

    /// <summary>What happened, newest last: state changes, demotions, faults (for failure messages).</summary>
    public List<string> Trace { get; } = [];

    public string Recent(int lines = 40) => string.Join("\n", Trace.TakeLast(lines));

    public long Promotions => _nodes.Sum(n => n.Promotions + (n.Machine?.Counters.Promotions ?? 0));

    /// <summary>Whether a node's machine is Validating at the end.</summary>
    public bool Led => _nodes.Any(n => n.Machine?.State == SupervisorState.Validating);

    /// <summary>Self-fences of the knd processes alive at the end.</summary>
    public long SelfFences => _nodes.Sum(n => n.Machine?.Counters.SelfFences ?? 0);

    private TimeSpan Now => TimeSpan.FromTicks(_time.GetTimestamp());

    private bool Slow => Now < _slowUntil || Now < _verySlowUntil;

    public void Run(TimeSpan duration)
    {
        foreach (var node in _nodes)
        {
            StartKnd(node);
        }

        var nextTick = Now;
        while (Now < duration && Violations.Count == 0)
        {
            var next = _queue.Count == 0 ? nextTick : TimeSpan.FromTicks(Math.Min(nextTick.Ticks, _queue.Min(s => s.Due).Ticks));
            if (next > Now)
            {
                _time.Advance(next - Now);
            }

            foreach (var item in _queue.Where(s => s.Due <= Now).OrderBy(s => s.Due).ThenBy(s => s.Sequence).ToList())
            {
                _queue.Remove(item);
                item.Action();
                CheckSigners();
            }

            if (Now >= nextTick)
            {
                nextTick = Now + Timings.TickInterval;
                foreach (var node in _nodes.Where(n => n.Machine is not null))
                {
                    Send(node, TickEvent.Instance);
                    PollNeard(node);
                    SendHeartbeat(node);
                }

                ExpireSessions();
                CheckSigners();
            }
        }
    }

    private void At(TimeSpan due, Action action) => _queue.Add(new Scheduled(due, _sequence++, action));

    private void Later(TimeSpan delay, Action action) => At(Now + delay, action);

    private TimeSpan Ms(int min, int max) => TimeSpan.FromMilliseconds(_random.Next(min, max));

    // ---------------------------------------------------------------- faults

    private void Inject(PlannedFault fault)
    {
        Trace.Add($"{Now} FAULT {fault}");
        var node = fault.Kind == WorldFault.RestartLeader
            ? _nodes.FirstOrDefault(n => n.Machine?.Snapshot().State == SupervisorState.Validating) ?? _nodes[fault.Node % _nodes.Length]
            : _nodes[fault.Node % _nodes.Length];
        var duration = TimeSpan.FromMilliseconds(fault.DurationMs);
        switch (fault.Kind)
        {
            case WorldFault.PartitionNode:
                node.PartitionedUntil = Now + duration;
                Later(duration, () => DeliverObservation(node));
                break;
            case WorldFault.ServiceNoLeader:
                _noLeaderUntil = Now + duration;
                Later(duration, () =>
                {
                    // A new leader restarts every session timer (consul-api.md).
                    foreach (var session in _sessions.Values)
                    {
                        session.LastRenewed = Now;
                    }
                });
                break;
            case WorldFault.ServiceRestartEmpty:
                _downUntil = Now + duration;
                _sessions.Clear();
                _keyExists = false;
                _holder = null;
                _value = null;
                _modifyIndex = 0;
                _lockDelayUntil = TimeSpan.Zero;
                _index = (ulong)_random.Next(1, 8);
                foreach (var each in _nodes)
                {
                    BreakWatch(each);
                    var watcher = each;
                    Later(duration + Ms(0, 200), () => DeliverObservation(watcher));
                }

                break;
            case WorldFault.ServiceIndexRegression:
                _index = (ulong)_random.Next(2, 8);
                _modifyIndex = _keyExists ? _index - 1 : 0;
                foreach (var each in _nodes)
                {
                    DeliverObservation(each);
                }

                break;
            case WorldFault.ServiceSlow:
                _slowUntil = Now + duration;
                break;
            case WorldFault.ServiceVerySlow:
                _verySlowUntil = Now + duration;
                break;
            case WorldFault.CrashNeard:
                if (node.Running && node.Machine is not null)
                {
                    var generation = node.RunningGeneration;
                    StopNeardProcess(node);
                    Deliver(node, Ms(0, 50), new NeardExitedEvent(generation, 100 + generation, 1));
                }

                break;
            case WorldFault.PartitionPeers:
                node.PeersCutUntil = Now + duration;
                break;
            case WorldFault.IsolateNode:
                node.PeersCutUntil = Now + duration;
                node.PartitionedUntil = Now + duration;
                Later(duration, () => DeliverObservation(node));
                break;
            case WorldFault.RestartKnd or WorldFault.RestartLeader:
                if (node.Machine is not null)
                {
                    // The parent-death signal takes neard down with knd.
                    node.Promotions += node.Machine.Counters.Promotions;
                    StopNeardProcess(node);
                    node.Machine = null;
                    node.Incarnation++;
                    Later(TimeSpan.FromMilliseconds(Math.Max(500, fault.DurationMs % 5000)), () => StartKnd(node));
                }

                break;
        }
    }

    private void BreakWatch(Node node) => Deliver(node, Ms(0, 50), new LockWatchFailedEvent(new LockServiceError(LockServiceFailure.Unreachable, "connection refused")));

    // ---------------------------------------------------------------- nodes and their neards

    private void StartKnd(Node node)
    {
        node.Clock = new MonotonicClock(_time);
        node.Machine = new FailoverMachine(Timings, node.Clock, node.Name, Account, _plan.HotSwap ? PromotionMode.HotSwap : PromotionMode.Restart, peers: Peers);
        node.RosterWriting = false;
        node.RosterReported = false;
        node.LastWatchDue = Now;
        Send(node, new PeerMembersEvent([.. _nodes.Select(n => n.Name)]));
        Send(node, TickEvent.Instance);
        DeliverObservation(node);
    }

    private void Send(Node node, SupervisorEvent supervisorEvent)
    {
        if (node.Machine is not { } machine)
        {
            return;
        }

        MachineOutput output;
        try
        {
            output = machine.Handle(supervisorEvent);
        }
        catch (InvalidOperationException e)
        {
            Violations.Add($"{Now} {node.Name}: {e.Message}");
            return;
        }

        foreach (var transition in output.Transitions)
        {
            Trace.Add($"{Now} {node.Name}: {transition.From} -> {transition.To}: {transition.Reason}");
        }

        foreach (var action in output.Actions)
        {
            if (action is not RenewSessionAction)
            {
                Trace.Add($"{Now} {node.Name}: {action}");
            }

            Perform(node, action);
        }

        if (_plan.Failsafe)
        {
            PublishRoster(node);
        }
    }

    /// <summary>
    /// The shell's member record write, for its failsafe member list only: one write at a time; a write
    /// that lands reports the list, one that fails while changing it reports the list unknown (null).
    /// </summary>
    private void PublishRoster(Node node)
    {
        var wanted = node.Machine?.Snapshot().Peers?.Roster;
        if (node.RosterWriting || Now < node.RosterRetryAt || (node.RosterReported && SameList(wanted, node.RosterWritten)))
        {
            return;
        }

        node.RosterWriting = true;
        var incarnation = node.Incarnation;
        var reachable = Now >= node.PartitionedUntil && Now >= _downUntil && Now >= _noLeaderUntil;
        // Its own random stream: a plan found by the random search replays the same way with it.
        Later(reachable ? TimeSpan.FromMilliseconds(_rosterRandom.Next(1, 150)) : Timings.ConsulRequestTimeout, () =>
        {
            if (node.Incarnation != incarnation)
            {
                return;
            }

            node.RosterWriting = false;
            if (reachable && Now >= _downUntil && Now >= _noLeaderUntil)
            {
                node.RosterReported = true;
                node.RosterWritten = wanted;
                Send(node, new FailsafeRosterPublishedEvent("model", wanted));
            }
            else
            {
                node.RosterRetryAt = Now + TimeSpan.FromMilliseconds(500);
                if (node.RosterReported && !SameList(wanted, node.RosterWritten))
                {
                    node.RosterReported = false;
                    Send(node, new FailsafeRosterPublishedEvent("model", null));
                }
            }
        });
    }

    private static bool SameList(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    /// <summary>An event for the node's current knd, dropped if that knd died meanwhile.</summary>
    private void Deliver(Node node, TimeSpan delay, SupervisorEvent supervisorEvent)
    {
        var incarnation = node.Incarnation;
        Later(delay, () =>
        {
            if (node.Incarnation == incarnation)
            {
                Send(node, supervisorEvent);
            }
        });
    }

    private void StopNeardProcess(Node node)
    {
        node.Running = false;
        node.ValidatorGeneration = -1;
        node.Answering = false;
    }

    private void PollNeard(Node node)
    {
        if (!node.Running || !node.Answering || Now < node.NextPoll)
        {
            return;
        }

        node.NextPoll = Now + Timings.HealthPollInterval;
        node.Height += 1;
        var validator = node.ValidatorGeneration == node.RunningGeneration ? Account : null;
        Deliver(node, Ms(0, 50), new StatusPolledEvent(node.RunningGeneration, new NeardHealthSample(node.Height, false, validator, null)));
    }

    private void Perform(Node node, SupervisorAction action)
    {
        switch (action)
        {
            case StartNeardAction start:
                node.Running = true;
                node.Answering = false;
                node.RunningGeneration = start.Generation;
                node.ValidatorGeneration = start.Mode == NeardMode.Validator ? start.Generation : -1;
                node.Height = Math.Max(node.Height, 1000);
                Deliver(node, Ms(50, 300), new NeardStartedEvent(start.Generation, 100 + start.Generation));
                Later(Ms(300, 600), () => node.Answering = node.Running && node.RunningGeneration == start.Generation);
                break;
            case StopNeardAction stop:
                if (node.Running && node.RunningGeneration == stop.Generation)
                {
                    var bound = Timings.NeardStopTimeout + Timings.NeardKillConfirmTimeout;
                    var took = TimeSpan.FromTicks((long)(bound.Ticks * _random.NextDouble()));
                    var incarnation = node.Incarnation;
                    Later(took, () =>
                    {
                        if (node.Incarnation == incarnation && node.RunningGeneration == stop.Generation)
                        {
                            StopNeardProcess(node);
                        }
                    });
                    Deliver(node, took, new NeardExitedEvent(stop.Generation, 100 + stop.Generation, 143));
                    Deliver(node, took, new NeardStoppedEvent(stop.Generation, true, "exited after SIGTERM"));
                }
                else
                {
                    Deliver(node, Ms(0, 20), new NeardStoppedEvent(stop.Generation, true, "not running"));
                }

                break;
            case InstallKeyAction install:
                if (node.Running && node.RunningGeneration == install.Generation)
                {
                    node.ValidatorGeneration = install.Generation;
                    Deliver(node, Ms(0, 100), new KeyInstalledEvent(install.Generation, null));
                }
                else
                {
                    Deliver(node, Ms(0, 20), new KeyInstalledEvent(install.Generation, "neard is not running"));
                }

                break;
            case ExitAction:
                node.Promotions += node.Machine!.Counters.Promotions;
                node.Machine = null;
                node.Incarnation++;
                Later(TimeSpan.FromSeconds(2), () => StartKnd(node));
                break;
            case CreateSessionAction or RenewSessionAction or DestroySessionAction or AcquireLockAction or ConfirmLockAction or ReleaseLockAction or DestroyLeaderSessionAction:
                Request(node, action);
                break;
            case RequestPromisesAction request:
                AskForPromises(node, request);
                break;
            case AnswerPromiseAction answer:
                AnswerPromise(node, answer);
                break;
        }
    }

    // ---------------------------------------------------------------- the lock service

    /// <summary>
    /// One request: it reaches the service after a delay (or never, if partitioned or the service is
    /// down), takes effect there, and its answer comes back after another delay; an answer later than
    /// the request timeout is a timeout for the client, though the effect stands.
    /// </summary>
    private void Request(Node node, SupervisorAction action)
    {
        var sentAt = node.Clock.Now;
        var timeout = Timings.ConsulRequestTimeout;
        if (action is DestroyLeaderSessionAction && (Now < node.PartitionedUntil || Now < _downUntil || Now < _noLeaderUntil))
        {
            return;
        }

        if (Now < node.PartitionedUntil || Now < _downUntil)
        {
            Deliver(node, Now < _downUntil ? Ms(1, 20) : timeout, Failure(action, LockServiceFailure.Unreachable));
            return;
        }

        if (Now < _noLeaderUntil)
        {
            Deliver(node, Ms(1, 30), Failure(action, LockServiceFailure.Unavailable));
            return;
        }

        var there = Now < _verySlowUntil ? Ms(600, 1100) : Slow ? Ms(500, 950) : Ms(1, 150);
        var back = Now < _verySlowUntil ? Ms(600, 1100) : Slow ? Ms(500, 950) : Ms(1, 150);
        var incarnation = node.Incarnation;
        Later(there, () =>
        {
            if (Now < _downUntil || Now < _noLeaderUntil)
            {
                if (action is not DestroyLeaderSessionAction)
                {
                    Deliver(node, back, Failure(action, Now < _downUntil ? LockServiceFailure.Unreachable : LockServiceFailure.Unavailable));
                }

                return;
            }

            var answer = Apply(node, action, sentAt, incarnation);
            if (answer is null)
            {
                return;
            }

            Deliver(node, there + back > timeout ? timeout - there : back, there + back > timeout ? Failure(action, LockServiceFailure.Unreachable) : answer);
        });
    }

    private SupervisorEvent? Apply(Node node, SupervisorAction action, TimeSpan sentAt, int incarnation)
    {
        switch (action)
        {
            case DestroyLeaderSessionAction destroyLeader:
                // Fast failover: a passive destroys the silent leader's session; Consul applies the lock-delay.
                Invalidate(destroyLeader.SessionId);
                return null;
            case CreateSessionAction:
                var id = $"{node.Name}-s{++_sessionCounter}";
                _sessions[id] = new StoredSession(node, incarnation) { LastRenewed = Now };
                return new SessionCreatedEvent(id, sentAt);
            case RenewSessionAction renew:
                if (!_sessions.TryGetValue(renew.SessionId, out var session))
                {
                    return new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.SessionGone, "not found"));
                }

                session.LastRenewed = Now;
                return new SessionRenewedEvent(renew.SessionId, sentAt);
            case DestroySessionAction destroy:
                if (_holder == destroy.SessionId && SignsNow(node))
                {
                    Violations.Add($"{Now} {node.Name}: destroyed its lock-holding session while its validator neard ran");
                }

                Invalidate(destroy.SessionId);
                return new SessionDestroyedEvent(destroy.SessionId, true);
            case AcquireLockAction acquire:
                if (!_sessions.ContainsKey(acquire.SessionId))
                {
                    return new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.SessionGone);
                }

                if (_holder is not null && _holder != acquire.SessionId)
                {
                    return new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.HeldByOther);
                }

                if (_holder is null && Now < _lockDelayUntil)
                {
                    return new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.LockDelay);
                }

                WriteKey(acquire.SessionId, new LockHolder(node.Name));
                return new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Acquired);
            case ConfirmLockAction confirm:
                return new LockConfirmedEvent(confirm.SessionId, _keyExists && _holder == confirm.SessionId, _modifyIndex, null);
            case ReleaseLockAction release:
                if (_holder != release.SessionId)
                {
                    return new LockReleasedEvent(release.SessionId, false);
                }

                if (SignsNow(node))
                {
                    Violations.Add($"{Now} {node.Name}: released the lock while its validator neard ran");
                }

                WriteKey(null, new LockHolder(node.Name, release.HandoverTo));
                return new LockReleasedEvent(release.SessionId, true);
            default:
                throw new InvalidOperationException($"not a lock-service action: {action}");
        }
    }

    private static SupervisorEvent Failure(SupervisorAction action, LockServiceFailure kind)
    {
        var error = new LockServiceError(kind, kind.ToString());
        return action switch
        {
            CreateSessionAction => new SessionCreateFailedEvent(error),
            RenewSessionAction renew => new SessionRenewFailedEvent(renew.SessionId, error),
            DestroySessionAction destroy => new SessionDestroyedEvent(destroy.SessionId, false),
            AcquireLockAction acquire => new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Failed, error),
            ConfirmLockAction confirm => new LockConfirmedEvent(confirm.SessionId, false, 0, error),
            ReleaseLockAction release => new LockReleasedEvent(release.SessionId, false),
            _ => throw new InvalidOperationException($"not a lock-service action: {action}"),
        };
    }

    private void WriteKey(string? holder, LockHolder value)
    {
        _keyExists = true;
        _holder = holder;
        _value = value;
        _modifyIndex = ++_index;
        foreach (var node in _nodes)
        {
            DeliverObservation(node);
        }
    }

    /// <summary>Consul's invalidation (TTL expiry or destroy) with Behavior=release: the key is freed and a lock-delay starts.</summary>
    private void Invalidate(string sessionId)
    {
        _sessions.Remove(sessionId);
        if (_holder == sessionId)
        {
            _lockDelayUntil = Now + Timings.LockDelay;
            WriteKey(null, _value ?? new LockHolder("?"));
        }
    }

    private void ExpireSessions()
    {
        if (Now < _noLeaderUntil || Now < _downUntil)
        {
            return;
        }

        foreach (var (id, session) in _sessions.ToList())
        {
            // The earliest Consul may expire a session: TTL after the last renewal it processed.
            if (Now - session.LastRenewed < Timings.SessionTtl)
            {
                continue;
            }

            // Under the failsafe a leader cut off from the service signs on past its session, but only
            // while every other node is bound by a promise it granted this leader when it could not reach
            // the service either (by the world's clock, from when it granted); a second signer among them
            // is the two-signer check's to catch. The leader's own view is not the judge: its stop after
            // the promises stop covering runs inside them, and a node it does not count as a member is
            // not bound. Anywhere else an expired session under a signing neard is a violation.
            var covered = _plan.Failsafe && EveryOtherNodeBound(session.Node);
            if (_holder == id && SignsNow(session.Node) && session.Node.Incarnation == session.Incarnation && !covered)
            {
                Violations.Add($"{Now} {session.Node.Name}: its lock-holding session expired while its validator neard still ran");
            }

            Invalidate(id);
        }
    }

    /// <summary>The node's watch answers with the key as it is now, in order, unless the node is cut off or the service is down.</summary>
    private void DeliverObservation(Node node)
    {
        if (Now < node.PartitionedUntil || Now < _downUntil || Now < _noLeaderUntil)
        {
            return;
        }

        var observation = _keyExists
            ? new LockObservation(true, _holder, _value, _modifyIndex, _modifyIndex)
            : LockObservation.Missing(_index);
        var due = Now + (Slow ? Ms(500, 1500) : Ms(0, 100));
        if (due < node.LastWatchDue)
        {
            due = node.LastWatchDue;
        }

        node.LastWatchDue = due;
        Deliver(node, due - Now, new LockObservedEvent(observation));
        var incarnation = node.Incarnation;
        var seen = _index;
        Later(WatchIdle, () =>
        {
            // A blocking query that waited its whole time answers with the same state.
            if (node.Incarnation == incarnation && _index == seen)
            {
                DeliverObservation(node);
            }
        });
    }

    // ---------------------------------------------------------------- the peer channel

    private bool PeersReach(Node from, Node to) => Now >= from.PeersCutUntil && Now >= to.PeersCutUntil && from.Machine is not null && to.Machine is not null;

    private TimeSpan PeerLatency() => Ms(1, 80);

    /// <summary>The leader's heartbeat every tick (the shell sends one every HeartbeatInterval) to every member it reaches.</summary>
    private void SendHeartbeat(Node node)
    {
        if (node.Machine?.Snapshot() is not { IsLeader: true, SessionId: { } session } snapshot)
        {
            return;
        }

        var age = snapshot.LastRenewAge ?? TimeSpan.Zero;
        foreach (var member in _nodes.Where(m => m != node && PeersReach(node, m)))
        {
            Deliver(member, PeerLatency(), new LeaderHeartbeatEvent(node.Name, session, age, Timings.FenceBound));
        }
    }

    private readonly Dictionary<long, (Node Leader, TimeSpan SentAt, bool Reachable)> _promiseRequests = [];

    /// <summary>Until when (world time) a member is bound by the promises it granted a leader: (member, leader) → end.</summary>
    private readonly Dictionary<(int Member, int Leader), TimeSpan> _bindings = [];

    private bool EveryOtherNodeBound(Node leader) =>
        _nodes.Where(n => n != leader).All(n => _bindings.TryGetValue((n.Index, leader.Index), out var until) && until > Now);

    private long _promiseRequestCounter;

    private void AskForPromises(Node leader, RequestPromisesAction request)
    {
        var sentAt = leader.Clock.Now;
        foreach (var member in _nodes.Where(m => m != leader && PeersReach(leader, m)))
        {
            var id = ++_promiseRequestCounter;
            // The member's shell asks Consul for its leader before it answers.
            var reachable = Now >= member.PartitionedUntil && Now >= _downUntil && Now >= _noLeaderUntil;
            _promiseRequests[id] = (leader, sentAt, reachable);
            Deliver(member, PeerLatency(), new PromiseRequestedEvent(id, leader.Name, request.SessionId, request.Duration, reachable));
        }
    }

    private void AnswerPromise(Node member, AnswerPromiseAction answer)
    {
        if (!_promiseRequests.Remove(answer.RequestId, out var request))
        {
            return;
        }

        if (answer.Granted && !request.Reachable)
        {
            // The member is bound from now (it answers as it receives), whether or not the answer arrives.
            // A promise from a member that reached the service binds nothing here: there the service can
            // still judge the leader, and contract §4.3 must hold for it.
            var key = (member.Index, request.Leader.Index);
            var until = Now + answer.Duration;
            _bindings[key] = _bindings.TryGetValue(key, out var bound) && bound > until ? bound : until;
        }

        if (!PeersReach(member, request.Leader))
        {
            return;
        }

        Deliver(request.Leader, PeerLatency(), new PromiseAnsweredEvent(member.Name, request.SentAt, answer.Granted, answer.Duration, answer.Reason));
    }

    // ---------------------------------------------------------------- the promise

    private static bool SignsNow(Node node) => node.Running && node.ValidatorGeneration == node.RunningGeneration;

    private void CheckSigners()
    {
        var signers = _nodes.Where(SignsNow).Select(n => n.Name).ToList();
        if (signers.Count > 1)
        {
            Violations.Add($"{Now}: two signers at once: {string.Join(", ", signers)}");
        }
    }

    private sealed record Scheduled(TimeSpan Due, long Sequence, Action Action);

    private sealed class StoredSession(Node node, int incarnation)
    {
        public Node Node => node;

        public int Incarnation => incarnation;

        public TimeSpan LastRenewed { get; set; }
    }

    private sealed class Node(int index)
    {
        public int Index => index;

        public string Name { get; } = $"node-{index}";

        public FailoverMachine? Machine { get; set; }

        public MonotonicClock Clock { get; set; } = null!;

        public int Incarnation { get; set; }

        public long Promotions { get; set; }

        public bool Running { get; set; }

        public bool Answering { get; set; }

        public int RunningGeneration { get; set; }

        public int ValidatorGeneration { get; set; } = -1;

        public long Height { get; set; }

        public TimeSpan NextPoll { get; set; }

        public TimeSpan PartitionedUntil { get; set; }

        public TimeSpan PeersCutUntil { get; set; }

        public TimeSpan LastWatchDue { get; set; }

        public bool RosterWriting { get; set; }

        public bool RosterReported { get; set; }

        public IReadOnlyList<string>? RosterWritten { get; set; }

        public TimeSpan RosterRetryAt { get; set; }
    }
}
