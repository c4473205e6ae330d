using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;

namespace Knd.Supervision;

/// <summary>
/// Performs the machine's Consul actions (each as its own request, with the client's timeouts) and
/// watches the lock key with blocking queries, feeding every answer back as an event.
/// </summary>
internal sealed class ConsulDriver
{
    /// <summary>Shortest pause between two lock-watch requests, so a misbehaving server cannot make the watch spin.</summary>
    internal static readonly TimeSpan WatchMinInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Pause after a failed lock-watch request.</summary>
    internal static readonly TimeSpan WatchRetryInterval = TimeSpan.FromMilliseconds(500);

    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly IConsulClient _consul;
    private readonly MonotonicClock _clock;
    private readonly Action<SupervisorEvent> _post;
    private readonly ILogger _logger;
    private readonly ClusterState _cluster;
    private readonly Lock _memberGate = new();
    private ConsulErrorKind? _lastLoggedError;
    private (string SessionId, MemberInfo Info)? _memberWanted;
    private (string SessionId, MemberInfo Info)? _memberPublished;
    private bool _memberInFlight;

    public ConsulDriver(KndRunOptions options, FailoverTimings timings, IConsulClient consul, ClusterState cluster, MonotonicClock clock, Action<SupervisorEvent> post, ILogger logger)
    {
        _cluster = cluster;
        _options = options;
        _timings = timings;
        _consul = consul;
        _clock = clock;
        _post = post;
        _logger = logger;
    }

    public void Perform(SupervisorAction action, CancellationToken cancellationToken)
    {
        _ = action switch
        {
            CreateSessionAction => CreateAsync(cancellationToken),
            RenewSessionAction renew => RenewAsync(renew.SessionId, cancellationToken),
            DestroySessionAction destroy => DestroyAsync(destroy.SessionId, cancellationToken),
            AcquireLockAction acquire => AcquireAsync(acquire.SessionId, cancellationToken),
            ConfirmLockAction confirm => ConfirmAsync(confirm.SessionId, cancellationToken),
            ReleaseLockAction release => ReleaseAsync(release.SessionId, release.HandoverTo, cancellationToken),
            _ => Task.CompletedTask,
        };
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var sentAt = _clock.Now;
        // Behavior=release keeps the key (and its LockIndex history) when the session dies; no
        // NodeChecks, so only the TTL and knd's own fence decide (serfHealth can drop a lock in ~7 s
        // of gossip trouble while the leader still believes it holds it; see docs/operations.md).
        var request = new SessionCreateRequest(_options.NodeId, _timings.SessionTtl, _timings.LockDelay, "release", []);
        var result = await _consul.CreateSessionAsync(request, cancellationToken);
        if (result.IsSuccess)
        {
            _lastLoggedError = null;
            _logger.SessionCreated(result.Value!);
            _post(new SessionCreatedEvent(result.Value!, sentAt));
        }
        else
        {
            LogOnce("session create", result.Error!);
            _post(new SessionCreateFailedEvent(result.Error!));
        }
    }

    private async Task RenewAsync(string sessionId, CancellationToken cancellationToken)
    {
        var sentAt = _clock.Now;
        var result = await _consul.RenewSessionAsync(sessionId, cancellationToken);
        if (result.IsSuccess)
        {
            _lastLoggedError = null;
            _post(new SessionRenewedEvent(sessionId, sentAt));
        }
        else
        {
            LogOnce("session renew", result.Error!);
            _post(new SessionRenewFailedEvent(sessionId, result.Error!));
        }
    }

    /// <summary>Retries until Consul confirms or the session would have expired anyway (2 x TTL, at most 10 s).</summary>
    private async Task DestroyAsync(string sessionId, CancellationToken cancellationToken)
    {
        var limit = _timings.SessionTtl * 2 < TimeSpan.FromSeconds(10) ? _timings.SessionTtl * 2 : TimeSpan.FromSeconds(10);
        var deadline = _clock.Now + limit;
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var result = await _consul.DestroySessionAsync(sessionId, cancellationToken);
            if (result.IsSuccess)
            {
                _logger.SessionDestroyed(sessionId);
                _post(new SessionDestroyedEvent(sessionId, true));
                return;
            }

            if (_clock.Now + pause >= deadline)
            {
                _logger.SessionDestroyGaveUp(sessionId);
                _post(new SessionDestroyedEvent(sessionId, false));
                return;
            }

            await Task.Delay(pause, _clock.TimeProvider, cancellationToken);
            pause = pause * 2 > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : pause * 2;
        }
    }

    private async Task AcquireAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _consul.AcquireAsync(_options.LockKey, LockValueBytes(null), sessionId, 0, cancellationToken);
        if (!result.IsSuccess)
        {
            LogOnce("lock acquire", result.Error!);
        }

        _post(new AcquireCompletedEvent(sessionId, result));
    }

    private async Task ConfirmAsync(string sessionId, CancellationToken cancellationToken)
    {
        var result = await _consul.GetKeyAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!result.IsSuccess)
        {
            LogOnce("lock confirmation", result.Error!);
            _post(new LockConfirmedEvent(sessionId, false, 0, result.Error));
            return;
        }

        var entry = result.Value!.Entry;
        var ours = entry?.Session == sessionId;
        if (ours)
        {
            _logger.LockConfirmed(_options.LockKey, entry!.ModifyIndex);
        }

        _post(new LockConfirmedEvent(sessionId, ours, entry?.ModifyIndex ?? 0, null));
    }

    private async Task ReleaseAsync(string sessionId, string? handoverTo, CancellationToken cancellationToken)
    {
        var result = await _consul.ReleaseAsync(_options.LockKey, LockValueBytes(handoverTo), sessionId, 0, cancellationToken);
        var ok = result.IsSuccess && result.Value;
        if (ok)
        {
            _logger.LockReleased(_options.LockKey, handoverTo ?? "anyone");
        }
        else if (result.Error is { } error)
        {
            LogOnce("lock release", error);
        }

        _post(new LockReleasedEvent(sessionId, ok));
    }

    /// <summary>Watches the lock key until cancelled: every answer becomes a <see cref="LockObservedEvent"/>.</summary>
    public async Task WatchLockAsync(CancellationToken cancellationToken)
    {
        ulong index = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _clock.Now;
            var query = new KvQuery(index, _timings.LockWatchWait, ConsulConsistency.Consistent);
            var result = await _consul.GetKeyAsync(_options.LockKey, query, cancellationToken);
            if (!result.IsSuccess)
            {
                _post(new LockWatchFailedEvent(result.Error!));
                await Task.Delay(WatchRetryInterval, _clock.TimeProvider, cancellationToken);
                continue;
            }

            var answer = result.Value!;
            _post(new LockObservedEvent(Observe(answer)));

            // Consul's blocking-query rules: an index that went backwards (a snapshot restore) resets to 0.
            index = answer.Index < index ? 0 : answer.Index;
            var took = _clock.Now - started;
            if (took < WatchMinInterval)
            {
                await Task.Delay(WatchMinInterval - took, _clock.TimeProvider, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Watches everything under the cluster prefix (pause flag, switchover record, members) until
    /// cancelled; publishes each answer to <see cref="ClusterState"/> and the pause flag to the machine.
    /// </summary>
    public async Task WatchClusterAsync(CancellationToken cancellationToken)
    {
        ulong index = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _clock.Now;
            var result = await _consul.ListAsync(_cluster.Keys.Prefix, new KvQuery(index, _timings.LockWatchWait), cancellationToken);
            if (!result.IsSuccess)
            {
                await Task.Delay(WatchRetryInterval, _clock.TimeProvider, cancellationToken);
                continue;
            }

            var observation = ClusterReader.Read(_cluster.Keys, result.Value!);
            _cluster.Publish(observation);
            _post(new PauseObservedEvent(observation.Paused));
            index = result.Value!.Index < index ? 0 : result.Value.Index;
            var took = _clock.Now - started;
            if (took < WatchMinInterval)
            {
                await Task.Delay(WatchMinInterval - took, _clock.TimeProvider, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Publishes this host's summary under members/, held with its session so the key unlocks when
    /// the session dies. Coalesces: at most one write in flight, the latest wish wins.
    /// </summary>
    public void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        lock (_memberGate)
        {
            if (_memberPublished is { } done && done.SessionId == sessionId && SameSummary(done.Info, info))
            {
                return;
            }

            _memberWanted = (sessionId, info);
            if (_memberInFlight)
            {
                return;
            }

            _memberInFlight = true;
        }

        _ = PublishMembersAsync(cancellationToken);
    }

    private static bool SameSummary(MemberInfo a, MemberInfo b) =>
        a.State == b.State && a.Synced == b.Synced && a.Healthy == b.Healthy;

    private async Task PublishMembersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (string SessionId, MemberInfo Info) wanted;
            lock (_memberGate)
            {
                if (_memberWanted is not { } next || (_memberPublished is { } done && done.SessionId == next.SessionId && SameSummary(done.Info, next.Info)))
                {
                    _memberInFlight = false;
                    return;
                }

                wanted = next;
            }

            var value = JsonSerializer.SerializeToUtf8Bytes(wanted.Info, ClusterJsonContext.Default.MemberInfo);
            var result = await _consul.AcquireAsync(_cluster.Keys.Member(_options.NodeId), value, wanted.SessionId, 0, cancellationToken);
            lock (_memberGate)
            {
                if (result.IsSuccess && result.Value!.Outcome == AcquireOutcome.Acquired)
                {
                    _memberPublished = wanted;
                }
                else if (_memberWanted == wanted)
                {
                    // The session is gone or Consul is down: try again with the next wish.
                    _memberWanted = null;
                }
            }
        }
    }

    private static LockObservation Observe(KvGetResult answer)
    {
        if (answer.Entry is not { } entry)
        {
            return LockObservation.Missing(answer.Index);
        }

        LockValue? value = null;
        try
        {
            value = entry.Value.Length == 0 ? null : JsonSerializer.Deserialize(entry.Value, SupervisionJsonContext.Default.LockValue);
        }
        catch (JsonException)
        {
            // A value written by someone else (an operator, another tool): the Session still decides.
        }

        return new LockObservation(true, entry.Session, value, entry.ModifyIndex);
    }

    private byte[] LockValueBytes(string? handoverTo)
    {
        // Boot id, pid namespace and instance id let the stale-leader reaper tell this process's pid apart.
        var value = ProcessIdentity.Current.Stamp(new LockValue(_options.NodeId, Environment.MachineName, Environment.ProcessId, _clock.TimeProvider.GetUtcNow(), handoverTo));
        return JsonSerializer.SerializeToUtf8Bytes(value, SupervisionJsonContext.Default.LockValue);
    }

    private void LogOnce(string operation, ConsulError error)
    {
        // A Consul outage fails every request; log each kind of failure once, not four times a second.
        if (_lastLoggedError != error.Kind)
        {
            _lastLoggedError = error.Kind;
            _logger.ConsulFailed(operation, error.ToString());
        }
    }
}
