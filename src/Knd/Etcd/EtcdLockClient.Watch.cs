using Etcdserverpb;
using Grpc.Core;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>Where the watch sends what it sees. Each is called from the watch's own task, one at a time.</summary>
internal sealed record EtcdWatchHandlers(Action<LockObservation> Lock, Action<ClusterObservation> Cluster, Action<LockServiceError> Failed);

/// <summary>The watch on the lock key and the cluster prefix.</summary>
internal sealed partial class EtcdLockClient
{
    /// <summary>For tests: runs between the read and the watch it resumes from (a compaction can then be made to fall there).</summary>
    internal Func<CancellationToken, Task>? BeforeWatchForTest { get; set; }

    /// <summary>
    /// Mirrors the lock key, the last-holder record and the cluster keys until cancelled, and publishes
    /// the lock as the failover core's <see cref="LockObservation"/> (Index = etcd's revision) and the
    /// cluster keys as a <see cref="ClusterObservation"/>. Each round reads the range linearizably and
    /// publishes it, then watches from the revision after that read, so no change is missed and none
    /// is published out of order; a broken stream, a compaction or an etcd without a leader starts a
    /// new round (failures are reported to <see cref="EtcdWatchHandlers.Failed"/> first). It never
    /// ends on an error.
    /// </summary>
    public async Task WatchAsync(EtcdWatchHandlers handlers, CancellationToken cancellationToken)
    {
        var mirror = new WatchMirror(this);
        while (!cancellationToken.IsCancellationRequested)
        {
            LockServiceError? failure;
            try
            {
                failure = await WatchRoundAsync(mirror, handlers, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A handler or a bug: the watch must not end silently.
                failure = new LockServiceError(LockServiceFailure.Unavailable, $"etcd watch failed inside knd: {e.GetType().Name}: {e.Message}");
            }

            if (failure is null)
            {
                continue;
            }

            handlers.Failed(failure);
            try
            {
                await Task.Delay(_connection.Options.Timings.WatchRetryInterval, _connection.Options.TimeProvider, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One read and the watch after it. Returns the failure that ended it, or null to start again at once (a compaction).</summary>
    private async Task<LockServiceError?> WatchRoundAsync(WatchMirror mirror, EtcdWatchHandlers handlers, CancellationToken cancellationToken)
    {
        var read = await ReadRangeAsync("watch read", cancellationToken);
        if (read.Error is { } readError)
        {
            return readError;
        }

        var (entries, header) = read.Value;
        mirror.Reset(entries, header);
        handlers.Lock(mirror.Observe(header.Revision));
        handlers.Cluster(mirror.Cluster(header.Revision));
        if (BeforeWatchForTest is { } hook)
        {
            await hook(cancellationToken);
        }

        var headers = await _connection.HeadersAsync("watch", cancellationToken);
        if (headers.Error is { } authError)
        {
            return authError;
        }

        using var stream = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stream.Token);
        using var createTimeout = new CancellationTokenSource(_connection.Options.RequestTimeout, _connection.Options.TimeProvider);
        using var untilCreated = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, createTimeout.Token);
        try
        {
            using var call = _connection.Watches.Watch(new CallOptions(headers.Value, cancellationToken: linked.Token));
            var create = new WatchCreateRequest { Key = _lockKey, RangeEnd = RangeEnd, StartRevision = header.Revision + 1 };
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, untilCreated.Token);
            var created = false;
            while (await call.ResponseStream.MoveNext(created ? linked.Token : untilCreated.Token))
            {
                var response = call.ResponseStream.Current;
                if (response.CompactRevision > 0)
                {
                    _logger.EtcdWatchCompacted(create.StartRevision, response.CompactRevision);
                    return null;
                }

                if (response.Canceled)
                {
                    return new LockServiceError(LockServiceFailure.Unavailable, $"etcd watch: cancelled by etcd: {(response.CancelReason is { Length: > 0 } reason ? reason : "no reason given")}");
                }

                created |= response.Created;
                if (response.Events.Count == 0)
                {
                    continue;
                }

                if (!HasRevision(response.Header))
                {
                    return EtcdErrors.Malformed("watch", "events without a revision");
                }

                var (lockChanged, clusterChanged) = mirror.Apply(response.Events);
                if (lockChanged)
                {
                    handlers.Lock(mirror.Observe(response.Header.Revision));
                }

                if (clusterChanged)
                {
                    handlers.Cluster(mirror.Cluster(response.Header.Revision));
                }
            }

            return new LockServiceError(LockServiceFailure.Unreachable, "etcd watch: the stream ended");
        }
        catch (RpcException e) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled mid-call, gRPC may report Internal ("ObjectDisposed"): the caller's cancellation, not a failure.
            throw new OperationCanceledException("etcd watch cancelled", e, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is RpcException || e is OperationCanceledException))
        {
            return createTimeout.IsCancellationRequested
                ? EtcdErrors.Timeout("watch (create)", _connection.Options.RequestTimeout)
                : _connection.Failure("watch", e, cancellationToken);
        }
        finally
        {
            // Ends the stream on every path (the server drops its watcher with it).
            await stream.CancelAsync();
        }
    }

    /// <summary>The watched keys as of the last event, and what the core has been told about them.</summary>
    private sealed class WatchMirror(EtcdLockClient client)
    {
        private readonly Dictionary<string, EtcdKv> _keys = new(StringComparer.Ordinal);
        private long _lockDeletedAt;
        private ulong _clusterId;
        private long _revision;

        /// <summary>Replaces the mirror with a read; notes a store that went back or an etcd cluster that is another one.</summary>
        public void Reset(List<EtcdKv> entries, ResponseHeader header)
        {
            if (_clusterId != 0 && header.ClusterId != _clusterId)
            {
                client._logger.EtcdClusterChanged(_clusterId, header.ClusterId);
            }
            else if (header.Revision < _revision)
            {
                client._logger.EtcdRevisionWentBack(_revision, header.Revision);
            }

            _clusterId = header.ClusterId;
            _revision = header.Revision;
            _keys.Clear();
            foreach (var entry in entries)
            {
                _keys[entry.Key] = entry;
            }

            // The deletion's own revision is not in a read; the read's is an upper bound above any holder it ended.
            _lockDeletedAt = header.Revision;
        }

        public (bool Lock, bool Cluster) Apply(IEnumerable<Mvccpb.Event> events)
        {
            var (lockChanged, clusterChanged) = (false, false);
            foreach (var change in events)
            {
                var key = change.Kv.Key.ToStringUtf8();
                if (!client.Mine(key))
                {
                    continue;
                }

                if (change.Type == Mvccpb.Event.Types.EventType.Delete)
                {
                    _keys.Remove(key);
                    if (key == client._keys.LockKey)
                    {
                        _lockDeletedAt = change.Kv.ModRevision;
                    }
                }
                else
                {
                    _keys[key] = EtcdKv.From(change.Kv);
                }

                _revision = Math.Max(_revision, change.Kv.ModRevision);
                if (key == client._keys.LockKey || key == client.LastHolderKey)
                {
                    lockChanged = true;
                }
                else
                {
                    clusterChanged = true;
                }
            }

            return (lockChanged, clusterChanged);
        }

        public LockObservation Observe(long revision)
        {
            _keys.TryGetValue(client._keys.LockKey, out var lockKv);
            _keys.TryGetValue(client.LastHolderKey, out var recordKv);
            var view = EtcdLockView.Of(lockKv, recordKv, _lockDeletedAt);
            if (view.Phase == EtcdLockPhase.Expired && client._lockDelay.Sighted(view.RecordRevision) == client._lockDelay.Delay)
            {
                client._logger.EtcdLockExpired(client._keys.LockKey, view.Record is { } r ? EtcdLeaseId.Format(r.LeaseId) : "unknown", view.FreeSince, (long)client._lockDelay.Delay.TotalMilliseconds);
            }

            return view.ToObservation(revision);
        }

        public ClusterObservation Cluster(long revision) =>
            EtcdClusterReader.Read(client._keys, _keys.Values.Where(e => e.Key != client._keys.LockKey && e.Key != client.LastHolderKey), revision);
    }
}
