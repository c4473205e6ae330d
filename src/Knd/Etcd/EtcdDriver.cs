using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Logging;
using Knd.Supervision;

namespace Knd.Etcd;

/// <summary>
/// The lock service on etcd for the supervisor: a session is a lease (granted with the session TTL and
/// renewed by the machine's own renew loop, one keep-alive round trip per renewal), the lock is the
/// key put with the lease by <see cref="EtcdLockClient.AcquireAsync"/>, the fencing index is the key's
/// revision, and one etcd watch mirrors the lock and the cluster keys. Every answer is mapped onto the
/// failover core's outcome types; the core learns nothing of etcd. Like the Consul driver, every
/// action posts its completion event whatever happens.
/// </summary>
internal sealed class EtcdDriver : ILockServiceDriver
{
    private const string CrashKeySuffix = OperationFailureLog.CrashKeySuffix;

    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly EtcdLockClient _etcd;
    private readonly ClusterState _cluster;
    private readonly MonotonicClock _clock;
    private readonly Action<SupervisorEvent> _post;
    private readonly ILogger _logger;
    private readonly OperationFailureLog _failureLog;
    private readonly FailureLogLimiter _failures;

    private readonly MemberPublisher _members;

    public EtcdDriver(KndRunOptions options, FailoverTimings timings, EtcdLockClient etcd, ClusterState cluster, MonotonicClock clock, Action<SupervisorEvent> post, ILogger logger)
    {
        _options = options;
        _timings = timings;
        _etcd = etcd;
        _cluster = cluster;
        _clock = clock;
        _post = post;
        _logger = logger;
        _failureLog = new OperationFailureLog(clock.TimeProvider, new OperationFailureMessages(
            (operation, error) => logger.EtcdFailed(operation, error),
            (operation, exception) => logger.EtcdTaskCrashed(operation, exception),
            (operation, count, seconds, error) => logger.EtcdStillFailing(operation, count, seconds, error),
            (operation, count, seconds) => logger.EtcdRecovered(operation, count, seconds)));
        _failures = _failureLog.Limiter;
        _members = new MemberPublisher(clock, timings, WriteMemberAsync, e => Crashed("member publish", e), post);
    }

    public Task Perform(SupervisorAction action, CancellationToken cancellationToken) => action switch
    {
        CreateSessionAction => Run("lease grant", () => GrantAsync(cancellationToken), e => new SessionCreateFailedEvent(e), cancellationToken),
        RenewSessionAction renew => Run("lease keep-alive", () => RenewAsync(renew.SessionId, cancellationToken), e => new SessionRenewFailedEvent(renew.SessionId, e), cancellationToken),
        DestroySessionAction destroy => Run("lease revoke", () => RevokeAsync(destroy.SessionId, cancellationToken), _ => new SessionDestroyedEvent(destroy.SessionId, false), cancellationToken),
        AcquireLockAction acquire => Run("lock acquire", () => AcquireAsync(acquire.SessionId, cancellationToken), e => new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Failed, e), cancellationToken),
        ConfirmLockAction confirm => Run("lock confirmation", () => ConfirmAsync(confirm.SessionId, cancellationToken), e => new LockConfirmedEvent(confirm.SessionId, false, 0, e), cancellationToken),
        CheckLockAction => CheckLock(_clock.Now, cancellationToken),
        ReleaseLockAction release => Run("lock release", () => ReleaseAsync(release.SessionId, release.HandoverTo, cancellationToken), _ => new LockReleasedEvent(release.SessionId, false), cancellationToken),
        _ => Task.CompletedTask,
    };

    /// <summary>
    /// One watch for the lock key, its last-holder record and the cluster keys (they share a range):
    /// the lock as <see cref="LockObservedEvent"/>s, the cluster keys to <see cref="ClusterState"/>.
    /// </summary>
    public Task WatchAsync(CancellationToken cancellationToken) =>
        _etcd.WatchAsync(
            new EtcdWatchHandlers(
                observation =>
                {
                    Succeeded("watch");
                    _post(new LockObservedEvent(observation));
                },
                cluster =>
                {
                    _cluster.Publish(cluster);
                    _post(new PauseObservedEvent(cluster.Paused));
                },
                error =>
                {
                    Failed("watch", error.Message);
                    _post(new LockWatchFailedEvent(error));
                }),
            cancellationToken);

    /// <summary>Writes this host's member record with its lease; coalesced and backed off by <see cref="MemberPublisher"/>.</summary>
    public void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken) =>
        _ = _members.Publish(sessionId, info, cancellationToken);

    private async Task Run(string operation, Func<Task> work, Func<LockServiceError, SupervisorEvent> failed, CancellationToken cancellationToken)
    {
        try
        {
            await work();
        }
        catch (Exception e)
        {
            if (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Crashed(operation, e);
            }

            _post(failed(new LockServiceError(LockServiceFailure.Unavailable, $"etcd {operation} failed inside knd: {e.GetType().Name}: {e.Message}")));
        }
    }

    private async Task GrantAsync(CancellationToken cancellationToken)
    {
        // The lease's TTL starts on etcd's leader after this instant: the fence counts from here.
        var sentAt = _clock.Now;
        var result = await _etcd.GrantAsync(_timings.SessionTtl, cancellationToken);
        if (!result.TryGetValue(out var lease, out var error))
        {
            // A grant whose answer was lost leaves a lease that holds nothing and expires within its TTL.
            Failed("lease grant", error.Message);
            _post(new SessionCreateFailedEvent(error));
            return;
        }

        Succeeded("lease grant");
        _logger.EtcdLeaseGranted(lease.SessionId, (long)lease.Ttl.TotalSeconds);
        _post(new SessionCreatedEvent(lease.SessionId, sentAt));
    }

    private async Task RenewAsync(string sessionId, CancellationToken cancellationToken)
    {
        var sentAt = _clock.Now;
        var result = await _etcd.RenewAsync(sessionId, cancellationToken);
        if (result.Error is { } error)
        {
            Failed("lease keep-alive", error.Message);
            _post(new SessionRenewFailedEvent(sessionId, error));
            return;
        }

        Succeeded("lease keep-alive");
        _post(new SessionRenewedEvent(sessionId, sentAt));
    }

    private async Task RevokeAsync(string sessionId, CancellationToken cancellationToken)
    {
        var limit = _timings.SessionTtl * 2 < _timings.DestroyGiveUpAfter ? _timings.SessionTtl * 2 : _timings.DestroyGiveUpAfter;
        var deadline = _clock.Now + limit;
        var pause = _timings.DestroyRetryMin;
        while (true)
        {
            var result = await _etcd.RevokeAsync(sessionId, cancellationToken);
            if (result.Error is null)
            {
                Succeeded("lease revoke");
                _logger.EtcdLeaseRevoked(sessionId);
                _post(new SessionDestroyedEvent(sessionId, true));
                return;
            }

            Failed("lease revoke", result.Error.Message);
            if (_clock.Now + pause >= deadline)
            {
                _logger.EtcdLeaseRevokeGaveUp(sessionId);
                _post(new SessionDestroyedEvent(sessionId, false));
                return;
            }

            await Task.Delay(pause, _clock.TimeProvider, cancellationToken);
            pause = pause * 2 > _timings.DestroyRetryMax ? _timings.DestroyRetryMax : pause * 2;
        }
    }

    private async Task AcquireAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _etcd.AcquireAsync(sessionId, LockValueBytes(null), cancellationToken);
        if (result.Error is { } error)
        {
            Failed("lock acquire", error.Message);
            _post(new AcquireCompletedEvent(sessionId, LockAcquireOutcome.Failed, error));
            return;
        }

        Succeeded("lock acquire");
        _post(new AcquireCompletedEvent(sessionId, result.Value));
    }

    private async Task ConfirmAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _etcd.ConfirmAsync(sessionId, cancellationToken);
        if (!result.TryGetValue(out var confirmation, out var error))
        {
            Failed("lock confirmation", error.Message);
            _post(new LockConfirmedEvent(sessionId, false, 0, error));
            return;
        }

        Succeeded("lock confirmation");
        if (confirmation.HeldByUs)
        {
            _logger.EtcdLockConfirmed(_options.LockKey, confirmation.FencingIndex);
        }

        _post(new LockConfirmedEvent(sessionId, confirmation.HeldByUs, confirmation.FencingIndex, null));
    }

    private Task CheckLock(TimeSpan sentAt, CancellationToken cancellationToken) =>
        Run("lock check", () => CheckLockAsync(sentAt, cancellationToken), e => new LockCheckedEvent(null, sentAt, e), cancellationToken);

    private async Task CheckLockAsync(TimeSpan sentAt, CancellationToken cancellationToken)
    {
        var result = await _etcd.ReadLockAsync(cancellationToken);
        if (!result.TryGetValue(out var check, out var error))
        {
            Failed("lock check", error.Message);
            _post(new LockCheckedEvent(null, sentAt, error));
            return;
        }

        Succeeded("lock check");
        _post(new LockCheckedEvent(check.Observation, sentAt, null));
    }

    private async Task ReleaseAsync(string sessionId, string? handoverTo, CancellationToken cancellationToken)
    {
        var result = await _etcd.ReleaseAsync(sessionId, LockValueBytes(handoverTo), cancellationToken);
        var ok = result.Error is null && result.Value;
        if (ok)
        {
            Succeeded("lock release");
            _logger.EtcdLockReleased(_options.LockKey, handoverTo ?? "anyone");
        }
        else if (result.Error is { } error)
        {
            Failed("lock release", error.Message);
        }

        _post(new LockReleasedEvent(sessionId, ok));
    }

    private byte[] LockValueBytes(string? handoverTo) =>
        ProcessIdentity.Current.Stamp(new LockValue(_options.NodeId, Environment.MachineName, Environment.ProcessId, _clock.TimeProvider.GetUtcNow(), handoverTo)).ToJson();

    private async Task<bool> WriteMemberAsync(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(info, ClusterJsonContext.Default.MemberInfo);
        var result = await _etcd.PutMemberAsync(sessionId, _options.NodeId, value, cancellationToken);
        if (result.Error is { } error)
        {
            Failed("member publish", error.Message);
            return false;
        }

        Succeeded("member publish");
        return true;
    }

    private void Failed(string operation, string error) => _failureLog.Failed(operation, error);

    private void Crashed(string operation, Exception exception) => _failureLog.Crashed(operation, exception);

    private void Succeeded(string operation) => _failureLog.Succeeded(operation);
}
