using Knd.Consul;

namespace Knd.DevConsul;

/// <summary>
/// The state of the dev server: one Raft-like global index, the KV and sessions tables with their
/// own max indexes, session TTL timers, lock-delays and the leader flag. One lock guards it all;
/// every method is atomic, as a Raft apply is.
/// </summary>
internal sealed partial class DevConsulStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly DevConsulOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<StoreWatch> _watches = [];
    private readonly Dictionary<string, StoredSession> _sessions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, StoredKey> _kv = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _tombstones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lockDelays = new(StringComparer.Ordinal);

    // Index 1 stands for the registration of the dev node itself, as a real cluster starts with
    // its catalog writes; the first KV or session write gets index 2.
    private ulong _raftIndex = 1;
    private ulong _kvsIndex;
    private ulong _sessionsIndex;
    private bool _hasLeader = true;
    private DateTimeOffset _leaderLostAt;
    private TaskCompletionSource _leaderRestored = NewSignal();
    private bool _disposed;
    private long _restoreGeneration;

    public DevConsulStore(DevConsulOptions options, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
    }

    public string NodeName => _options.NodeName;

    /// <summary>Bumped by <see cref="RegressIndexes"/>, as a snapshot restore abandons the state store.</summary>
    public long RestoreGeneration => Interlocked.Read(ref _restoreGeneration);

    /// <summary>Whether a leader exists, and how long since the "server" last heard from one.</summary>
    public (bool HasLeader, TimeSpan LastContact) Leader()
    {
        lock (_gate)
        {
            return _hasLeader ? (true, TimeSpan.Zero) : (false, _time.GetUtcNow() - _leaderLostAt);
        }
    }

    /// <summary>Completes when a leader is elected again (already complete while there is one).</summary>
    public Task LeaderRestored
    {
        get
        {
            lock (_gate)
            {
                return _hasLeader ? Task.CompletedTask : _leaderRestored.Task;
            }
        }
    }

    /// <summary>
    /// Loses or regains the leader. Without a leader no session timer runs (they live on the leader);
    /// a new leader starts every timer afresh at 2 x TTL, as <c>initializeSessionTimers</c> does.
    /// </summary>
    public void SetLeader(bool present)
    {
        lock (_gate)
        {
            if (present == _hasLeader)
            {
                return;
            }

            _hasLeader = present;
            if (!present)
            {
                _leaderLostAt = _time.GetUtcNow();
                _leaderRestored = NewSignal();
            }

            foreach (var session in _sessions.Values)
            {
                ArmTimer(session);
            }

            if (present)
            {
                _leaderRestored.TrySetResult();
            }
        }
    }

    /// <summary>A leader election: every session timer restarts at 2 x TTL. Nothing else changes.</summary>
    public void ChangeLeader()
    {
        lock (_gate)
        {
            foreach (var session in _sessions.Values)
            {
                ArmTimer(session);
            }
        }
    }

    /// <summary>
    /// Emulates a snapshot restore to an older index: the global index drops to <paramref name="index"/>
    /// and every stored index above it is lowered to it. Blocked queries wake and see the lower index.
    /// </summary>
    public void RegressIndexes(ulong index)
    {
        lock (_gate)
        {
            index = Math.Max(1, index);
            _raftIndex = Math.Min(_raftIndex, index);
            _kvsIndex = Math.Min(_kvsIndex, index);
            _sessionsIndex = Math.Min(_sessionsIndex, index);
            foreach (var key in _kv.Keys.ToList())
            {
                var entry = _kv[key];
                _kv[key] = entry with { CreateIndex = Math.Min(entry.CreateIndex, index), ModifyIndex = Math.Min(entry.ModifyIndex, index) };
            }

            foreach (var key in _tombstones.Keys.ToList())
            {
                _tombstones[key] = Math.Min(_tombstones[key], index);
            }

            foreach (var session in _sessions.Values)
            {
                session.CreateIndex = Math.Min(session.CreateIndex, index);
                session.ModifyIndex = Math.Min(session.ModifyIndex, index);
            }

            Interlocked.Increment(ref _restoreGeneration);
            FireWatches(static _ => true);
        }
    }

    /// <summary>Registered watches: how many blocking reads are waiting (for tests and /_dev/state).</summary>
    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    public StoreWatch Watch(WatchKind kind, string key)
    {
        var watch = new StoreWatch(this, kind, key);
        lock (_gate)
        {
            if (_disposed)
            {
                watch.Fire();
            }
            else
            {
                _watches.Add(watch);
            }
        }

        return watch;
    }

    public void RemoveWatch(StoreWatch watch)
    {
        lock (_gate)
        {
            _watches.Remove(watch);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var session in _sessions.Values)
            {
                session.Timer?.Dispose();
            }

            FireWatches(static _ => true);
            _leaderRestored.TrySetResult();
        }
    }

    private ulong NextIndex() => ++_raftIndex;

    private void NotifyKey(string key) => FireWatches(w => w.Matches(key));

    private void NotifySessions() => FireWatches(static w => w.Kind == WatchKind.Sessions);

    private void FireWatches(Func<StoreWatch, bool> predicate)
    {
        for (var i = _watches.Count - 1; i >= 0; i--)
        {
            if (predicate(_watches[i]))
            {
                _watches[i].Fire();
                _watches.RemoveAt(i);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TimeSpan ToTimeSpan(long nanoseconds) => GoDuration.ToTimeSpan(nanoseconds);
}
