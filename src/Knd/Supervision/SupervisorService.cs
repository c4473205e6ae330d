using System.Threading.Channels;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Hooks;
using Knd.Production;

namespace Knd.Supervision;

/// <summary>
/// The effectful shell around <see cref="FailoverMachine"/>: one loop that takes events from a
/// channel (timer ticks, neard, Consul, the lock watch, a stop request), hands each to the machine,
/// publishes the snapshot, and dispatches the resulting actions to the neard and lock-service drivers.
/// </summary>
internal sealed class SupervisorService : BackgroundService, ISupervisorInbox
{
    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly FailoverMachine _machine;
    private readonly SupervisorStatus _status;
    private readonly NeardDriver _neard;
    private readonly ILockServiceDriver _lockService;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly StaleLeaderReaper? _reaper;
    private readonly ILogger _logger;
    private readonly ClusterState _cluster;
    private readonly SilentLeaderStepDown _stepDown;
    private readonly StrangerReport _strangers;
    private readonly IPeerLink? _peers;
    private ClusterObservation? _contendersFrom;
    private IReadOnlyList<Contender> _contenders = [];
    private IReadOnlyDictionary<string, NodeList> _rosters = new Dictionary<string, NodeList>(StringComparer.Ordinal);
    private string? _rosterRefusal;
    private readonly HookDispatcher? _hooks;
    private readonly RenewalWallClock _renewedAt;
    private readonly Channel<SupervisorEvent> _events = Channel.CreateUnbounded<SupervisorEvent>(new() { SingleReader = true });

    public SupervisorService(
        KndRunOptions options,
        FailoverTimings timings,
        SupervisorStatus status,
        Func<Action<SupervisorEvent>, NeardDriver> neardFactory,
        Func<Action<SupervisorEvent>, ILockServiceDriver> lockServiceFactory,
        StaleLeaderReaper? reaper,
        ClusterState cluster,
        IHostApplicationLifetime lifetime,
        ILogger<SupervisorService> logger,
        ILoggerFactory loggers,
        Func<Action<SupervisorEvent>, IPeerLink?>? peerFactory = null,
        Func<Action<SupervisorEvent>, HookDispatcher?>? hookFactory = null)
    {
        _cluster = cluster;
        var productionLogger = loggers.CreateLogger("Knd.Production");
        _stepDown = new SilentLeaderStepDown(options.NodeId, status.Production, productionLogger);
        _strangers = new StrangerReport(productionLogger);
        _options = options;
        _timings = timings;
        _status = status;
        _lifetime = lifetime;
        _reaper = reaper;
        _logger = logger;
        _machine = new FailoverMachine(timings, status.Clock, options.NodeId, options.AccountId, options.Promotion, options.Production, options.Peers, options.Tags);
        _status.Counters = _machine.Counters;
        _renewedAt = new RenewalWallClock(status.Clock);
        _neard = neardFactory(Post);
        _lockService = lockServiceFactory(Post);
        _peers = peerFactory?.Invoke(Post);
        _hooks = hookFactory?.Invoke(Post);
    }

    /// <summary>This node's end of the peer channel, or null when it runs none.</summary>
    public IPeerLink? Peers => _peers;

    /// <summary>The exit code the daemon should end with once the host stops.</summary>
    public int ExitCode { get; private set; }

    /// <summary>The running neard's pid, or null.</summary>
    public int? NeardPid => _neard.CurrentPid;

    public NeardDriver Neard => _neard;

    /// <summary>Adds an event to the loop's queue (thread-safe).</summary>
    public void Post(SupervisorEvent supervisorEvent) => _events.Writer.TryWrite(supervisorEvent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.Starting(
            _options.NodeId,
            _options.AccountId,
            _options.LockKey,
            _timings.SessionTtl.TotalMilliseconds,
            _timings.LockDelay.TotalMilliseconds,
            _timings.FenceAfter.TotalMilliseconds,
            _timings.FenceBound.TotalMilliseconds);

        using (var reapTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            // Best effort and bounded: on any failure the old session simply expires, as it would without this.
            reapTimeout.CancelAfter(_timings.StartupReapTimeout);
            try
            {
                if (_reaper is not null)
                {
                    await _reaper.ReapAsync(reapTimeout.Token);
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }

        using var background = new CancellationTokenSource();
        await using var stopRegistration = stoppingToken.Register(() => Post(new StopRequestedEvent()));
        using var timer = _status.Clock.TimeProvider.CreateTimer(_ => Post(TickEvent.Instance), null, TimeSpan.Zero, _timings.TickInterval);
        var watch = Task.Run(() => _lockService.WatchAsync(background.Token), CancellationToken.None);
        var peerChannel = _peers is null ? Task.CompletedTask : Task.Run(() => _peers.RunAsync(background.Token), CancellationToken.None);
        try
        {
            await RunLoopAsync(background.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug in the loop must not leave a neard signing without supervision.
            _logger.LoopCrashed(e);
            _neard.KillNow();
            Environment.FailFast("knd supervision loop crashed: " + e.Message, e);
        }
        finally
        {
            await background.CancelAsync();
            await _neard.DisposeAsync();
            if (_hooks is not null)
            {
                // neard is stopped and the lock released by now: the last role-change hooks may finish, bounded.
                await _hooks.DrainAsync();
            }

            foreach (var task in new[] { watch, peerChannel })
            {
                try
                {
                    await task;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        SupervisorSnapshot? previous = null;
        await foreach (var supervisorEvent in _events.Reader.ReadAllAsync(cancellationToken))
        {
            if (supervisorEvent is TickEvent)
            {
                _status.MarkTick();
            }

            var output = _machine.Handle(supervisorEvent);
            foreach (var transition in output.Transitions)
            {
                if (transition.From == transition.To)
                {
                    _logger.Demoting(transition.From, transition.Reason);
                }
                else
                {
                    _logger.StateChanged(transition.From, transition.To, transition.Reason);
                }
            }

            var snapshot = _machine.Snapshot();
            _status.Publish(snapshot);
            if (snapshot.LeaderNodeId is { } leader && leader != previous?.LeaderNodeId)
            {
                _logger.LeaderChanged(leader);
            }

            previous = snapshot;

            // Only enqueues: a hook never delays the actions below (the stop, the release).
            _hooks?.Observe(snapshot.State, _machine.HasValidatorRole, _machine.LastDemotion);
            _strangers.Consider(snapshot, _machine.Counters);
            if (_stepDown.Consider(snapshot, _cluster.Latest) is { } handover)
            {
                Post(handover);
            }

            PostClusterChanges();
            if (snapshot.Peers?.RosterRefusal != _rosterRefusal)
            {
                _rosterRefusal = snapshot.Peers?.RosterRefusal;
                if (_rosterRefusal is not null)
                {
                    _logger.RosterLeavesThisNodeOut(_rosterRefusal);
                }
            }

            if (snapshot.SessionId is { } session)
            {
                var heldOff = snapshot.PromotionBackoff is not null || snapshot.StateLossHoldOff is not null || snapshot.Production?.DoppelgangerHold is not null;
                var renewedAt = _renewedAt.Of(snapshot) is { } at ? MemberRecordFields.FormatTime(at) : null;
                var member = new MemberInfo(_options.NodeId, snapshot.State.ToString(), snapshot.Syncing == false, snapshot.NeardHealthy, snapshot.BlockHeight, heldOff, _peers?.Advertised, _options.Tags.NoFailover, _options.Tags.Priority, renewedAt, ProductionVerdict.Of(snapshot), NodeList.Of(snapshot.Peers?.Roster));
                _lockService.PublishMember(session, member, cancellationToken);
            }

            foreach (var action in output.Actions)
            {
                if (action is ExitAction exit)
                {
                    ExitCode = exit.ExitCode;
                    _lifetime.StopApplication();
                    return;
                }

                Dispatch(action, cancellationToken);
            }
        }
    }

    private static bool SameRosters(IReadOnlyDictionary<string, NodeList> a, IReadOnlyDictionary<string, NodeList> b) =>
        a.Count == b.Count && a.All(r => b.TryGetValue(r.Key, out var other) && other.Equals(r.Value));

    /// <summary>
    /// What the cluster watch's records tell the machine, each sent when it changes: the other ready
    /// passives (the priority rule's input) and the failsafe member lists.
    /// </summary>
    private void PostClusterChanges()
    {
        var latest = _cluster.Latest;
        if (ReferenceEquals(latest, _contendersFrom))
        {
            return;
        }

        _contendersFrom = latest;
        var contenders = latest.Contenders(_options.NodeId);
        if (!contenders.SequenceEqual(_contenders))
        {
            _contenders = contenders;
            Post(new ContendersObservedEvent(contenders));
        }

        var rosters = latest.FailsafeRosters();
        if (!SameRosters(rosters, _rosters))
        {
            _rosters = rosters;
            Post(new FailsafeRostersObservedEvent(rosters.ToDictionary(r => r.Key, r => r.Value.Items, StringComparer.Ordinal)));
        }
    }

    private void Dispatch(SupervisorAction action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case StartNeardAction or StopNeardAction or InstallKeyAction or RemoveValidatorKeyAction:
                _neard.Enqueue(action);
                break;
            case RequestPromisesAction request:
                _peers?.RequestPromises(request, cancellationToken);
                break;
            case AnswerPromiseAction answer:
                _peers?.Answer(answer);
                break;
            case RunPrePromoteAction prePromote when _hooks is not null:
                _hooks.RunPrePromote(prePromote);
                break;
            case RunPrePromoteAction prePromote:
                Post(new PrePromoteFinishedEvent(prePromote.Attempt, true, "no --pre-promote hook"));
                break;
            default:
                _lockService.Perform(action, cancellationToken);
                break;
        }
    }
}
