using Knd.Consul;

namespace Knd.DevConsul;

internal sealed partial class DevConsulStore
{
    /// <summary>Consul's <c>structs.SessionTTLMax</c>.</summary>
    public static readonly TimeSpan SessionTtlMax = TimeSpan.FromHours(24);

    /// <summary>Consul's <c>structs.MaxLockDelay</c>: the cap applied when a lock-delay is set.</summary>
    public static readonly TimeSpan MaxLockDelay = TimeSpan.FromSeconds(60);

    public const string SerfHealth = "serfHealth";
    public const string BehaviorRelease = "release";
    public const string BehaviorDelete = "delete";

    /// <summary>
    /// <c>Session.Apply</c> (create): the server-side validation, then the state-store checks.
    /// Returns the new ID, or the error text Consul answers with a 500.
    /// </summary>
    public (string? Id, string? Error) CreateSession(SessionSpec spec)
    {
        var behavior = spec.Behavior.Length == 0 ? BehaviorRelease : spec.Behavior;
        if (behavior is not (BehaviorRelease or BehaviorDelete))
        {
            return (null, $"Invalid Behavior setting '{spec.Behavior}'");
        }

        long ttl = 0;
        if (spec.TtlText.Length > 0)
        {
            if (!GoDuration.TryParse(spec.TtlText, out ttl, out var parseError))
            {
                return (null, $"Session TTL '{spec.TtlText}' invalid: {parseError}");
            }

            var min = GoDuration.ToNanoseconds(_options.SessionTtlMin);
            var max = GoDuration.ToNanoseconds(SessionTtlMax);
            if (ttl != 0 && (ttl < min || ttl > max))
            {
                // Consul formats the Duration with %d, so the TTL prints in nanoseconds.
                return (null, $"Invalid Session TTL '{ttl}', must be between [{GoDuration.Format(min)}={GoDuration.Format(max)}]");
            }
        }

        lock (_gate)
        {
            if (!string.Equals(spec.Node, _options.NodeName, StringComparison.Ordinal))
            {
                return (null, "Missing node registration");
            }

            // The dev node has exactly one check, serfHealth, always passing, and no services.
            var missing = spec.NodeChecks.FirstOrDefault(c => !string.Equals(c, SerfHealth, StringComparison.Ordinal)) ?? spec.ServiceChecks.FirstOrDefault();
            if (missing is not null)
            {
                return (null, $"Missing check '{missing}' registration");
            }

            var index = NextIndex();
            var session = new StoredSession
            {
                Id = Guid.NewGuid().ToString(),
                Name = spec.Name,
                Node = spec.Node,
                LockDelayNs = spec.LockDelayNs,
                Behavior = behavior,
                TtlText = spec.TtlText,
                TtlNs = ttl,
                NodeChecks = spec.NodeChecks,
                CreateIndex = index,
                ModifyIndex = index,
            };
            _sessions[session.Id] = session;
            _sessionsIndex = index;
            ArmTimer(session);
            NotifySessions();
            _logger.DevSessionCreated(session.Id, session.Name, session.TtlText, ToTimeSpan(session.LockDelayNs).TotalMilliseconds);
            return (session.Id, null);
        }
    }

    /// <summary>Restarts the session's timer at 2 x TTL. Null when the session does not exist.</summary>
    public SessionWire? RenewSession(string id)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                return null;
            }

            ArmTimer(session);
            return ToWire(session);
        }
    }

    /// <summary>Destroys the session (a no-op for an unknown ID, as in Consul), applying its Behavior and lock-delay.</summary>
    public void DestroySession(string id)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(id, out var session))
            {
                _logger.DevSessionDestroyed(id, session.Name);
                Invalidate(session);
            }
        }
    }

    /// <summary>Sessions matching <paramref name="filter"/>, ordered by ID, with the sessions table index.</summary>
    public (List<SessionWire> Sessions, ulong Index) ReadSessions(Func<StoredSession, bool> filter)
    {
        lock (_gate)
        {
            var sessions = _sessions.Values.Where(filter).OrderBy(s => s.Id, StringComparer.Ordinal).Select(ToWire).ToList();
            return (sessions, _sessionsIndex);
        }
    }

    public static SessionWire ToWire(StoredSession session) => new()
    {
        Id = session.Id,
        Name = session.Name,
        Node = session.Node,
        LockDelay = session.LockDelayNs,
        Behavior = session.Behavior,
        Ttl = session.TtlText,
        NodeChecks = session.NodeChecks,
        ServiceChecks = null,
        CreateIndex = session.CreateIndex,
        ModifyIndex = session.ModifyIndex,
    };

    /// <summary>(Re)starts a session's timer: 2 x TTL from now with a leader, frozen without one.</summary>
    private void ArmTimer(StoredSession session)
    {
        if (session.TtlNs <= 0 || _disposed)
        {
            return;
        }

        if (!_hasLeader)
        {
            session.ExpiresAt = null;
            session.Timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = ToTimeSpan(session.TtlNs) * 2;
        session.ExpiresAt = _time.GetUtcNow() + due;
        session.Timer ??= _time.CreateTimer(OnSessionTimer, session.Id, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        session.Timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void OnSessionTimer(object? state)
    {
        var id = (string)state!;
        lock (_gate)
        {
            if (_disposed || !_hasLeader || !_sessions.TryGetValue(id, out var session) || session.ExpiresAt is not { } expiresAt)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (now < expiresAt)
            {
                // A renew moved the deadline after this callback was queued, or the clocks differ slightly.
                session.Timer?.Change(expiresAt - now, Timeout.InfiniteTimeSpan);
                return;
            }

            _logger.DevSessionExpired(id, session.Name, session.TtlText);
            Invalidate(session);
        }
    }

    /// <summary>
    /// <c>deleteSessionTxn</c>: remove the session; release (or delete) every key it holds at one new
    /// index; set a lock-delay of min(LockDelay, 60s) on each such key.
    /// </summary>
    private void Invalidate(StoredSession session)
    {
        var index = NextIndex();
        _sessions.Remove(session.Id);
        session.Timer?.Dispose();
        session.Timer = null;
        _sessionsIndex = index;

        var delay = ToTimeSpan(session.LockDelayNs);
        delay = delay > MaxLockDelay ? MaxLockDelay : delay;
        var now = _time.GetUtcNow();
        var held = _kv.Values.Where(k => string.Equals(k.Session, session.Id, StringComparison.Ordinal)).ToList();
        foreach (var entry in held)
        {
            if (session.Behavior == BehaviorDelete)
            {
                _kv.Remove(entry.Key);
                _tombstones[entry.Key] = index;
            }
            else
            {
                _kv[entry.Key] = entry with { Session = null, ModifyIndex = index };
            }

            _kvsIndex = index;
            if (delay > TimeSpan.Zero)
            {
                _lockDelays[entry.Key] = now + delay;
            }

            NotifyKey(entry.Key);
        }

        NotifySessions();
    }
}
