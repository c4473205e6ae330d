using Knd.Consul;

namespace Knd.Supervision;

/// <summary>
/// Orphan sessions: a session create whose answer was lost (a reset, a timeout, a garbled body) may
/// still have created the session. knd retries with a new create, and the lost one would linger until
/// its TTL ran out (2 x TTL; the issue saw 20 of them). Once the current session is confirmed by a
/// renewal, knd lists the sessions of its Consul node and destroys the ones it must have made itself.
/// </summary>
internal sealed partial class ConsulDriver
{
    private readonly Lock _orphanGate = new();

    /// <summary>Consul's sessions index before this process's first create: no session of this process is older.</summary>
    private ulong? _sessionsIndexAtStart;

    /// <summary>Creates whose outcome this process does not know (they failed, but may have been applied).</summary>
    private int _unconfirmedCreates;

    private bool _sweeping;

    /// <summary>How many creates may have left a session behind; for tests and the sweep.</summary>
    internal int UnconfirmedCreates
    {
        get
        {
            lock (_orphanGate)
            {
                return _unconfirmedCreates;
            }
        }
    }

    /// <summary>
    /// Reads Consul's sessions index once, before the first create, so that later only sessions
    /// created after it count as this process's own. A failure does not hold the create back (knd must
    /// be able to lead while session listing fails); sessions created before a baseline exists are
    /// just never swept, and expire on their own.
    /// </summary>
    private async Task NoteSessionsIndexAsync(CancellationToken cancellationToken)
    {
        lock (_orphanGate)
        {
            if (_sessionsIndexAtStart is not null)
            {
                return;
            }
        }

        var listed = await _consul.ListSessionsAsync(null, cancellationToken);
        if (!listed.TryGetValue(out var sessions, out var error))
        {
            Failed("session list", error);
            return;
        }

        Succeeded("session list");
        lock (_orphanGate)
        {
            _sessionsIndexAtStart ??= sessions.Index;
        }
    }

    private void NoteUnconfirmedCreate()
    {
        lock (_orphanGate)
        {
            _unconfirmedCreates++;
        }
    }

    /// <summary>After a renewal of <paramref name="current"/> succeeded: sweep orphans if a create may have left one.</summary>
    private void SweepOrphansIfNeeded(SessionEntry current, CancellationToken cancellationToken)
    {
        int pending;
        ulong baseline;
        lock (_orphanGate)
        {
            if (_sweeping || _unconfirmedCreates == 0 || _sessionsIndexAtStart is not { } start)
            {
                return;
            }

            _sweeping = true;
            pending = _unconfirmedCreates;
            baseline = start;
        }

        _ = SweepAsync(current, pending, baseline, cancellationToken);
    }

    /// <summary>
    /// Destroys at most <paramref name="pending"/> sessions of this node's Consul node that are named
    /// after this node id, are not the current one, were created after <paramref name="baseline"/> and
    /// before the current one (so by this process, between its lost creates and the one that worked),
    /// and hold no key under the lock key. Destroying a session that holds nothing can never make a
    /// second signer; at worst another knd with the same node id (a misconfiguration) creates a new one.
    /// </summary>
    private async Task SweepAsync(SessionEntry current, int pending, ulong baseline, CancellationToken cancellationToken)
    {
        var done = false;
        try
        {
            done = await SweepOnceAsync(current, pending, baseline, cancellationToken);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Crashed("orphan session sweep", e);
        }
        finally
        {
            lock (_orphanGate)
            {
                _sweeping = false;
                if (done)
                {
                    _unconfirmedCreates = Math.Max(0, _unconfirmedCreates - pending);
                }
            }
        }
    }

    private async Task<bool> SweepOnceAsync(SessionEntry current, int pending, ulong baseline, CancellationToken cancellationToken)
    {
        var listed = await _consul.ListSessionsAsync(current.Node, cancellationToken);
        if (!listed.TryGetValue(out var sessions, out var listError))
        {
            Failed("orphan session sweep", listError);
            return false;
        }

        // Every key under the lock key (the lock, the members, the switchover record): a session
        // holding any of them is in use, whoever made it.
        var keys = await _consul.ListAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!keys.TryGetValue(out var held, out var keysError))
        {
            Failed("orphan session sweep", keysError);
            return false;
        }

        var holders = held.Entries.Select(e => e.Session).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var orphans = sessions.Sessions
            .Where(s => s.Name == _options.NodeId && s.Id != current.Id && s.CreateIndex > baseline && s.CreateIndex < current.CreateIndex && !holders.Contains(s.Id))
            .OrderBy(s => s.CreateIndex)
            .Take(pending)
            .ToList();
        var allDestroyed = true;
        foreach (var orphan in orphans)
        {
            var destroyed = await _consul.DestroySessionAsync(orphan.Id, cancellationToken);
            if (destroyed.IsSuccess)
            {
                _logger.OrphanSessionDestroyed(orphan.Id, orphan.CreateIndex);
            }
            else
            {
                Failed("orphan session sweep", destroyed.Error);
                allDestroyed = false;
            }
        }

        if (allDestroyed)
        {
            Succeeded("orphan session sweep");
        }

        return allDestroyed;
    }
}
