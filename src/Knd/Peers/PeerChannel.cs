using System.Collections.Concurrent;
using Knd.Cluster;
using Knd.Logging;
using Knd.Supervision;

namespace Knd.Peers;

/// <summary>
/// The leader side of the peer channel and the member list: every <see cref="PeerRules.HeartbeatInterval"/>
/// it takes the cluster watch's member records (a changed list becomes a <see cref="PeerMembersEvent"/>)
/// and, while this node's snapshot says it leads, sends each other member a heartbeat with its session
/// and renewal age. A <see cref="RequestPromisesAction"/> becomes one promise request per member, and
/// each verified answer a <see cref="PromiseAnsweredEvent"/> carrying the machine's clock at sending.
/// </summary>
internal sealed class PeerChannel
{
    private readonly string _nodeId;
    private readonly PeerRules _rules;
    private readonly FailoverTimings _timings;
    private readonly PeerClient _client;
    private readonly PeerDirectory _directory;
    private readonly ClusterState _cluster;
    private readonly SupervisorStatus _status;
    private readonly Action<SupervisorEvent> _post;
    private readonly Action<string, string> _observe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FailureLogLimiter _failures;
    private readonly ConcurrentDictionary<string, byte> _heartbeatsInFlight = new(StringComparer.Ordinal);

    public PeerChannel(
        string nodeId,
        PeerRules rules,
        FailoverTimings timings,
        PeerClient client,
        PeerDirectory directory,
        ClusterState cluster,
        SupervisorStatus status,
        Action<SupervisorEvent> post,
        Action<string, string> observe,
        TimeProvider time,
        ILogger logger)
    {
        _nodeId = nodeId;
        _rules = rules;
        _timings = timings;
        _client = client;
        _directory = directory;
        _cluster = cluster;
        _status = status;
        _post = post;
        _observe = observe;
        _time = time;
        _logger = logger;
        _failures = new FailureLogLimiter(time);
    }

    /// <summary>Runs until cancelled: the member list and, while leading, the heartbeats.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                RefreshMembers();
                SendHeartbeats(cancellationToken);
                await Task.Delay(_rules.HeartbeatInterval, _time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug here must not end the heartbeats for good: passives would destroy a healthy leader.
                _logger.PeerTaskCrashed("heartbeat loop", e);
                await Task.Delay(_rules.HeartbeatInterval, _time, cancellationToken);
            }
        }
    }

    /// <summary>Takes the latest member records; a changed list goes to the machine.</summary>
    public void RefreshMembers()
    {
        if (_directory.Update(_cluster.Latest) is { } members)
        {
            _logger.PeerMembers(string.Join(", ", members));
            _post(new PeerMembersEvent(members));
        }
    }

    /// <summary>One heartbeat to every other member with a peer address, unless the previous one to it is still under way.</summary>
    public void SendHeartbeats(CancellationToken cancellationToken)
    {
        if (_status.Snapshot is not { IsLeader: true, SessionId: { } session } snapshot)
        {
            return;
        }

        // Aged to now, as /status does: a loop that stalled shows in the age it reports.
        var age = (snapshot.LastRenewAge ?? TimeSpan.Zero) + (_status.Clock.Now - snapshot.TakenAt);
        var heartbeat = new HeartbeatRequest(session, (long)age.TotalMilliseconds, (long)_timings.LockDelay.TotalMilliseconds, (long)Math.Ceiling(_timings.FenceBound.TotalMilliseconds));
        foreach (var (member, address) in _directory.Others(_nodeId))
        {
            if (address is not null && _heartbeatsInFlight.TryAdd(member, 0))
            {
                _ = HeartbeatAsync(member, address, heartbeat, cancellationToken);
            }
        }
    }

    /// <summary>Asks every other member for the promise; each answer (or its absence, as a refusal naming why) goes to the machine.</summary>
    public void RequestPromises(RequestPromisesAction request, CancellationToken cancellationToken)
    {
        RefreshMembers();
        foreach (var (member, address) in _directory.Others(_nodeId))
        {
            if (address is null)
            {
                _post(new PromiseAnsweredEvent(member, _status.Clock.Now, false, TimeSpan.Zero, "its members/ record names no peer address (no --peer-address on that host)"));
                continue;
            }

            _ = PromiseAsync(member, address, request, cancellationToken);
        }
    }

    private async Task HeartbeatAsync(string member, string address, HeartbeatRequest heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            var call = await _client.PostAsync(member, address, PeerWire.HeartbeatPath, heartbeat, PeerJsonContext.Default.HeartbeatRequest, PeerJsonContext.Default.HeartbeatAnswer, _rules.HeartbeatTimeout, cancellationToken);
            Observe("heartbeat", member, address, call.Error, call.Outcome);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _logger.PeerTaskCrashed($"heartbeat to {member}", e);
        }
        finally
        {
            _heartbeatsInFlight.TryRemove(member, out _);
        }
    }

    private async Task PromiseAsync(string member, string address, RequestPromisesAction request, CancellationToken cancellationToken)
    {
        // The machine counts the promise from here, on its own clock: before the member can have received it.
        var sentAt = _status.Clock.Now;
        var ask = new PromiseRequest(request.SessionId, (long)request.Duration.TotalMilliseconds);
        try
        {
            var call = await _client.PostAsync(member, address, PeerWire.PromisePath, ask, PeerJsonContext.Default.PromiseRequest, PeerJsonContext.Default.PromiseAnswer, _rules.PromiseTimeout, cancellationToken);
            Observe("promise request", member, address, call.Error, call.Outcome);
            if (call is { Ok: true, Answer: { Granted: true } granted })
            {
                // A member never binds itself for longer than asked; count no more than that.
                var duration = TimeSpan.FromMilliseconds(Math.Min(granted.DurationMs, ask.DurationMs));
                _post(new PromiseAnsweredEvent(member, sentAt, true, duration, null));
            }
            else
            {
                _post(new PromiseAnsweredEvent(member, sentAt, false, TimeSpan.Zero, call.Answer?.Reason ?? call.Error ?? "refused"));
            }
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _logger.PeerTaskCrashed($"promise request to {member}", e);
            _post(new PromiseAnsweredEvent(member, sentAt, false, TimeSpan.Zero, $"failed inside knd: {e.GetType().Name}"));
        }
    }

    private void Observe(string operation, string member, string address, string? error, string outcome)
    {
        _observe(operation == "heartbeat" ? "heartbeat" : "promise", outcome);
        var key = $"{operation} {member}";
        if (error is null)
        {
            var recovered = _failures.Succeeded(key);
            if (recovered.Kind == FailureLogKind.Recovered)
            {
                _logger.PeerCallRecovered(operation, member, recovered.Count, (long)recovered.Window.TotalSeconds);
            }

            return;
        }

        var report = _failures.Failed(key);
        if (report.Kind == FailureLogKind.First)
        {
            _logger.PeerCallFailed(operation, member, address, error);
        }
        else if (report.Kind == FailureLogKind.Repeated)
        {
            _logger.PeerCallStillFailing(operation, member, report.Count, (long)report.Window.TotalSeconds, error);
        }
    }
}
