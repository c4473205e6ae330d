using Knd.Cluster;
using Knd.Consul;
using Knd.Logging;

namespace Knd.Supervision;

/// <summary>The blocking watches on the lock key and the cluster prefix.</summary>
internal sealed partial class ConsulDriver
{
    private bool? _lockKeyMissing;

    /// <summary>Both blocking watches, side by side, until cancelled.</summary>
    public Task WatchAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(
            Task.Run(() => WatchLockAsync(cancellationToken), CancellationToken.None),
            Task.Run(() => WatchClusterAsync(cancellationToken), CancellationToken.None));

    /// <summary>
    /// Watches the lock key until cancelled: every answer becomes a <see cref="LockObservedEvent"/>,
    /// every failure a <see cref="LockWatchFailedEvent"/>. It never ends on an error: an unexpected
    /// exception is logged and the watch starts again from index 0.
    /// </summary>
    public Task WatchLockAsync(CancellationToken cancellationToken) =>
        WatchAsync("lock watch", WatchLockOnceAsync, e => _post(new LockWatchFailedEvent(e)), cancellationToken);

    /// <summary>
    /// Watches everything under the cluster prefix (pause flag, switchover record, members) until
    /// cancelled; publishes each answer to <see cref="ClusterState"/> and the pause flag to the machine.
    /// </summary>
    public Task WatchClusterAsync(CancellationToken cancellationToken) =>
        WatchAsync("cluster watch", WatchClusterOnceAsync, _ => { }, cancellationToken);

    /// <summary>
    /// The loop both watches share. <paramref name="once"/> does one request, waiting on the given
    /// index, and returns the index to wait on next (0: read afresh) and whether it failed.
    /// </summary>
    private async Task WatchAsync(
        string watch,
        Func<ulong, CancellationToken, Task<(ulong Next, bool Failed)>> once,
        Action<LockServiceError> reportCrash,
        CancellationToken cancellationToken)
    {
        ulong index = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _clock.Now;
            bool failed;
            var reconnected = _consul.Reconnected;
            try
            {
                using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, reconnected);
                (index, failed) = await once(index, request.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (reconnected.IsCancellationRequested)
            {
                // Consul answered another request after one could not reach it: this blocking query
                // was sent before, maybe into the outage, where it would hang for the whole wait (a
                // passive back from a partition would not see the lock change for 30 s). Ask afresh.
                _logger.WatchRestartedAfterReconnect(watch);
                (index, failed) = (0, false);
            }
            catch (Exception e)
            {
                // A bug must not end the watch silently (the issue saw a cluster with no leader and
                // every node "Voting" that way): log it, tell the machine, start again from scratch.
                if (_failures.Failed(watch + CrashKeySuffix).Kind == FailureLogKind.First)
                {
                    _logger.WatchCrashed(watch, e);
                }

                reportCrash(new LockServiceError(LockServiceFailure.Unavailable, $"{watch} failed inside knd: {e.GetType().Name}: {e.Message}"));
                (index, failed) = (0, true);
            }

            var pause = failed ? _timings.WatchRetryInterval : _timings.WatchMinInterval - (_clock.Now - started);
            try
            {
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _clock.TimeProvider, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<(ulong Next, bool Failed)> WatchLockOnceAsync(ulong index, CancellationToken cancellationToken)
    {
        var query = new KvQuery(index, _timings.LockWatchWait, ConsulConsistency.Consistent);
        var result = await _consul.GetKeyAsync(_options.LockKey, query, cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            // Consul's blocking-query rules: after any failure the index may mean nothing any more (a
            // restarted or restored server starts lower), so read afresh from 0. Kept, it would block
            // for the whole wait (30 s) on a server that never reaches it.
            Failed("lock watch", error);
            _post(new LockWatchFailedEvent(error.ToLockServiceError()));
            return (0, true);
        }

        if (UnusableIndex("lock watch", index, answer.Index) is { } problem)
        {
            _post(new LockWatchFailedEvent(new LockServiceError(LockServiceFailure.Malformed, problem)));
            return (0, false);
        }

        var observation = Observe(answer);
        _failures.Succeeded("lock watch" + CrashKeySuffix);
        var recovered = _failures.Succeeded("lock watch");
        if (recovered.Kind == FailureLogKind.Recovered)
        {
            _logger.LockWatchRecovered(recovered.Count, (long)recovered.Window.TotalSeconds, Describe(observation), observation.Index);
        }

        NoteLockKey(observation);
        _post(new LockObservedEvent(observation));
        return (answer.Index, false);
    }

    private async Task<(ulong Next, bool Failed)> WatchClusterOnceAsync(ulong index, CancellationToken cancellationToken)
    {
        var result = await _consul.ListAsync(_cluster.Keys.Prefix, new KvQuery(index, _timings.LockWatchWait), cancellationToken);
        if (!result.TryGetValue(out var answer, out var error))
        {
            Failed("cluster watch", error);
            return (0, true);
        }

        if (UnusableIndex("cluster watch", index, answer.Index) is not null)
        {
            return (0, false);
        }

        Succeeded("cluster watch");
        var observation = ClusterReader.Read(_cluster.Keys, answer);
        _cluster.Publish(observation);
        _post(new PauseObservedEvent(observation.Paused));
        return (answer.Index, false);
    }

    /// <summary>
    /// Consul's blocking-query rules, checked again here whatever client answered: an index that is 0,
    /// absurdly large, or below the one waited on (Consul restored a snapshot or lost its state) is not
    /// used; the watch reads afresh from index 0. Returns why, or null when the index is fine.
    /// </summary>
    private string? UnusableIndex(string watch, ulong waitedOn, ulong returned)
    {
        if (ConsulIndex.Next(waitedOn, returned) != 0)
        {
            return null;
        }

        var problem = ConsulIndex.IsPlausible(returned)
            ? $"Consul's index went backwards ({returned} after {waitedOn})"
            : $"Consul answered with an unusable index {returned}";
        _logger.WatchIndexReset(watch, problem);
        return problem;
    }

    /// <summary>Logs when the lock key disappears or comes back: with Behavior=release a missing key means Consul forgot it.</summary>
    private void NoteLockKey(LockObservation observation)
    {
        var missing = !observation.Exists;
        if (_lockKeyMissing == missing)
        {
            return;
        }

        var wasPresent = _lockKeyMissing == false;
        _lockKeyMissing = missing;
        if (missing && wasPresent)
        {
            _logger.LockKeyDisappeared(_options.LockKey, observation.Index);
        }
        else if (missing)
        {
            _logger.LockKeyMissing(_options.LockKey, observation.Index);
        }
        else
        {
            _logger.LockKeyPresent(_options.LockKey, observation.Holder ?? "(none)", observation.ModifyIndex, observation.Index);
        }
    }

    private static string Describe(LockObservation observation) =>
        !observation.Exists ? "the lock key is missing" : observation.Holder is { } holder ? $"the lock key is held by session {holder}" : "the lock key is free";

    private static LockObservation Observe(KvGetResult answer)
    {
        if (answer.Entry is not { } entry)
        {
            return LockObservation.Missing(answer.Index);
        }

        var value = LockValue.TryParse(entry.Value);
        var holder = value is { NodeId: { Length: > 0 } nodeId } ? new LockHolder(nodeId, value.HandoverTo) : null;
        return new LockObservation(true, entry.Session, holder, entry.ModifyIndex, answer.Index);
    }
}
