using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Logging;

namespace Knd.Supervision;

/// <summary>
/// Performs the machine's Consul actions (each as its own request, with the client's timeouts) and
/// watches the lock key with blocking queries, feeding every answer back as an event. No task of it
/// ends silently: every action posts its completion event whatever happens (a failure event on an
/// unexpected exception, so the machine never waits on an in-flight flag for ever), and the watches
/// restart themselves after any error.
/// </summary>
internal sealed partial class ConsulDriver : ILockServiceDriver
{
    private const string CrashKeySuffix = OperationFailureLog.CrashKeySuffix;

    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly IConsulClient _consul;
    private readonly MonotonicClock _clock;
    private readonly Action<SupervisorEvent> _post;
    private readonly ILogger _logger;
    private readonly ClusterState _cluster;
    private readonly OperationFailureLog _failureLog;
    private readonly FailureLogLimiter _failures;

    public ConsulDriver(KndRunOptions options, FailoverTimings timings, IConsulClient consul, ClusterState cluster, MonotonicClock clock, Action<SupervisorEvent> post, ILogger logger)
    {
        _cluster = cluster;
        _options = options;
        _timings = timings;
        _consul = consul;
        _clock = clock;
        _members = new MemberPublisher(clock, timings, WriteMemberAsync, e => Crashed("member publish", e), post);
        _post = post;
        _logger = logger;
        _failureLog = new OperationFailureLog(clock.TimeProvider, new OperationFailureMessages(
            (operation, error) => logger.ConsulFailed(operation, error),
            (operation, exception) => logger.ConsulTaskCrashed(operation, exception),
            (operation, count, seconds, error) => logger.ConsulStillFailing(operation, count, seconds, error),
            (operation, count, seconds) => logger.ConsulRecovered(operation, count, seconds)));
        _failures = _failureLog.Limiter;
    }

    /// <summary>Starts the action in the background; the returned task (for tests) ends once its completion event is posted.</summary>
    public Task Perform(SupervisorAction action, CancellationToken cancellationToken) => action switch
    {
        CreateSessionAction => Run("session create", () => CreateAsync(cancellationToken), e => new SessionCreateFailedEvent(e), cancellationToken),
        RenewSessionAction renew => Run("session renew", () => RenewAsync(renew.SessionId, cancellationToken), e => new SessionRenewFailedEvent(renew.SessionId, e), cancellationToken),
        DestroySessionAction destroy => Run("session destroy", () => DestroyAsync(destroy.SessionId, report: true, cancellationToken), _ => new SessionDestroyedEvent(destroy.SessionId, false), cancellationToken),
        DestroyLeaderSessionAction leader => Run("leader session destroy", () => DestroyLeaderAsync(leader, cancellationToken), _ => new SessionDestroyedEvent(leader.SessionId, false), cancellationToken),
        AcquireLockAction acquire => Run("lock acquire", () => AcquireAsync(acquire.SessionId, cancellationToken), e => new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Failed, e), cancellationToken),
        ConfirmLockAction confirm => Run("lock confirmation", () => ConfirmAsync(confirm.SessionId, cancellationToken), e => new LockConfirmedEvent(confirm.SessionId, false, 0, e), cancellationToken),
        CheckLockAction => CheckLock(_clock.Now, cancellationToken),
        ReleaseLockAction release => Run("lock release", () => ReleaseAsync(release.SessionId, release.HandoverTo, cancellationToken), _ => new LockReleasedEvent(release.SessionId, false), cancellationToken),
        PauseClusterAction pause => PauseClusterAsync(pause.Reason, cancellationToken),
        _ => Task.CompletedTask,
    };

    /// <summary>
    /// Runs one action. Its work posts the completion event as its last step; if the work throws
    /// instead (a bug, or something the client let through), the failure event is posted in its place.
    /// </summary>
    private async Task Run(string operation, Func<Task> work, Func<LockServiceError, SupervisorEvent> failed, CancellationToken cancellationToken)
    {
        try
        {
            await work();
        }
        catch (Exception e)
        {
            var shuttingDown = e is OperationCanceledException && cancellationToken.IsCancellationRequested;
            if (!shuttingDown)
            {
                Crashed(operation, e);
            }

            _post(failed(new LockServiceError(LockServiceFailure.Unavailable, $"{operation} failed inside knd: {e.GetType().Name}: {e.Message}")));
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await NoteSessionsIndexAsync(cancellationToken);
        var sentAt = _clock.Now;
        // Behavior=release keeps the key (and its LockIndex history) when the session dies; no
        // NodeChecks, so only the TTL and knd's own fence decide (serfHealth can drop a lock in ~7 s
        // of gossip trouble while the leader still believes it holds it; see docs/operations.md).
        var request = new SessionCreateRequest(_options.NodeId, _timings.SessionTtl, _timings.LockDelay, "release", []);
        var result = await _consul.CreateSessionAsync(request, cancellationToken);
        if (result.TryGetValue(out var created, out var error))
        {
            Succeeded("session create");
            _logger.SessionCreated(created);
            _post(new SessionCreatedEvent(created, sentAt));
        }
        else
        {
            // The create may have been applied with only its answer lost: the orphan sweep looks for it.
            NoteUnconfirmedCreate();
            Failed("session create", error);
            _post(new SessionCreateFailedEvent(error.ToLockServiceError()));
        }
    }

    private async Task RenewAsync(string sessionId, CancellationToken cancellationToken)
    {
        var sentAt = _clock.Now;
        var result = await _consul.RenewSessionAsync(sessionId, cancellationToken);
        if (result.TryGetValue(out var renewed, out var error))
        {
            Succeeded("session renew");
            _post(new SessionRenewedEvent(sessionId, sentAt));
            SweepOrphansIfNeeded(renewed, cancellationToken);
        }
        else
        {
            Failed("session renew", error);
            _post(new SessionRenewFailedEvent(sessionId, error.ToLockServiceError()));
        }
    }

    /// <summary>
    /// Fast failover: destroys the session of a leader that stopped renewing, so Consul's lock-delay
    /// starts now; the same retries as this node's own destroys. The machine expects no answer.
    /// </summary>
    private Task DestroyLeaderAsync(DestroyLeaderSessionAction leader, CancellationToken cancellationToken)
    {
        _logger.DestroyingLeaderSession(leader.NodeId, leader.SessionId);
        return DestroyAsync(leader.SessionId, report: false, cancellationToken);
    }

    /// <summary>
    /// Retries until Consul confirms or the session would have expired anyway (2 x TTL, at most 10 s).
    /// <paramref name="report"/>: post the outcome to the machine (its own sessions).
    /// </summary>
    private async Task DestroyAsync(string sessionId, bool report, CancellationToken cancellationToken)
    {
        var limit = _timings.SessionTtl * 2 < _timings.DestroyGiveUpAfter ? _timings.SessionTtl * 2 : _timings.DestroyGiveUpAfter;
        var deadline = _clock.Now + limit;
        var pause = _timings.DestroyRetryMin;
        while (true)
        {
            var result = await _consul.DestroySessionAsync(sessionId, cancellationToken);
            if (result.IsSuccess)
            {
                Succeeded("session destroy");
                _logger.SessionDestroyed(sessionId);
                if (report)
                {
                    _post(new SessionDestroyedEvent(sessionId, true));
                }

                return;
            }

            Failed("session destroy", result.Error);
            if (_clock.Now + pause >= deadline)
            {
                _logger.SessionDestroyGaveUp(sessionId);
                if (report)
                {
                    _post(new SessionDestroyedEvent(sessionId, false));
                }

                return;
            }

            await Task.Delay(pause, _clock.TimeProvider, cancellationToken);
            pause = pause * 2 > _timings.DestroyRetryMax ? _timings.DestroyRetryMax : pause * 2;
        }
    }

    private async Task AcquireAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _consul.AcquireAsync(_options.LockKey, LockValueBytes(null), sessionId, 0, cancellationToken);
        if (!result.TryGetValue(out var acquire, out var error))
        {
            Failed("lock acquire", error);
            _post(new AcquireCompletedEvent(sessionId, LockAcquireOutcome.Failed, error.ToLockServiceError()));
            return;
        }

        Succeeded("lock acquire");
        _post(new AcquireCompletedEvent(sessionId, acquire.Outcome.ToOutcome()));
    }

    private async Task ConfirmAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _consul.GetKeyAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!result.TryGetValue(out var read, out var error))
        {
            Failed("lock confirmation", error);
            _post(new LockConfirmedEvent(sessionId, false, 0, error.ToLockServiceError()));
            return;
        }

        Succeeded("lock confirmation");
        var entry = read.Entry;
        var ours = entry?.Session == sessionId;
        if (ours)
        {
            _logger.LockConfirmed(_options.LockKey, entry!.ModifyIndex);
        }

        _post(new LockConfirmedEvent(sessionId, ours, entry?.ModifyIndex ?? 0, null));
    }

    private Task CheckLock(TimeSpan sentAt, CancellationToken cancellationToken) =>
        Run("lock check", () => CheckLockAsync(sentAt, cancellationToken), e => new LockCheckedEvent(null, sentAt, e), cancellationToken);

    private async Task CheckLockAsync(TimeSpan sentAt, CancellationToken cancellationToken)
    {
        var result = await _consul.GetKeyAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!result.TryGetValue(out var read, out var error))
        {
            Failed("lock check", error);
            _post(new LockCheckedEvent(null, sentAt, error.ToLockServiceError()));
            return;
        }

        Succeeded("lock check");
        _post(new LockCheckedEvent(Observe(read), sentAt, null));
    }

    private async Task ReleaseAsync(string sessionId, string? handoverTo, CancellationToken cancellationToken)
    {
        var result = await _consul.ReleaseAsync(_options.LockKey, LockValueBytes(handoverTo), sessionId, 0, cancellationToken);
        var ok = result.IsSuccess && result.Value;
        if (ok)
        {
            Succeeded("lock release");
            _logger.LockReleased(_options.LockKey, handoverTo ?? "anyone");
        }
        else if (result.Error is { } error)
        {
            Failed("lock release", error);
        }

        _post(new LockReleasedEvent(sessionId, ok));
    }

    /// <summary>
    /// Sets the cluster-wide pause as <c>knd pause</c> does, with the machine's reason in the record.
    /// Nothing waits on it (the machine already refuses to promote); a failed write is retried a few
    /// times, then logged: the operator must pause by hand.
    /// </summary>
    private async Task PauseClusterAsync(string reason, CancellationToken cancellationToken)
    {
        const int Attempts = 5;
        var error = "no attempt made";
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                var record = new PauseRecord(true, _options.NodeId, _clock.TimeProvider.GetUtcNow(), reason);
                var bytes = JsonSerializer.SerializeToUtf8Bytes(record, ClusterJsonContext.Default.PauseRecord);
                var put = await _consul.PutKeyAsync(_cluster.Keys.Pause, bytes, KvPutOptions.None, cancellationToken);
                if (put is { IsSuccess: true, Value: true })
                {
                    _logger.ClusterPausedByKnd(_options.NodeId, reason);
                    return;
                }

                error = put.Error?.ToString() ?? "Consul refused the write";
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                error = $"inside knd: {e.GetType().Name}: {e.Message}";
            }

            if (attempt < Attempts)
            {
                await Task.Delay(_timings.ClusterPauseRetryStep * attempt, _clock.TimeProvider, cancellationToken);
            }
        }

        _logger.ClusterPauseFailed(reason, Attempts, error);
    }

    private byte[] LockValueBytes(string? handoverTo)
    {
        // Boot id, pid namespace and instance id let the stale-leader reaper tell this process's pid apart.
        var value = ProcessIdentity.Current.Stamp(new LockValue(_options.NodeId, Environment.MachineName, Environment.ProcessId, _clock.TimeProvider.GetUtcNow(), handoverTo));
        return value.ToJson();
    }

    /// <summary>A Consul outage fails every request: the first failure of each operation is logged, then a count every few seconds.</summary>
    private void Failed(string operation, ConsulError error) => Failed(operation, error.ToString());

    private void Failed(string operation, string error) => _failureLog.Failed(operation, error);

    private void Crashed(string operation, Exception exception) => _failureLog.Crashed(operation, exception);

    private void Succeeded(string operation) => _failureLog.Succeeded(operation);
}
