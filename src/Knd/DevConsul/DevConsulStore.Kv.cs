namespace Knd.DevConsul;

/// <summary>The outcome of an acquire or release: Consul's true/false, or the error text it answers with a 500.</summary>
internal readonly record struct KvLockResult(bool Done, string? Error = null);

internal sealed partial class DevConsulStore
{
    /// <summary>One key and the index a read of it reports: its ModifyIndex, or the KV table index when missing.</summary>
    public (StoredKey? Entry, ulong Index) ReadKey(string key)
    {
        lock (_gate)
        {
            return _kv.TryGetValue(key, out var entry) ? (entry, entry.ModifyIndex) : (null, _kvsIndex);
        }
    }

    /// <summary>
    /// The keys under <paramref name="prefix"/> and <c>kvsListTxn</c>'s index: the highest ModifyIndex
    /// under the prefix, tombstones included, or the table index when that is 0 or the prefix is empty.
    /// </summary>
    public (List<StoredKey> Entries, ulong Index) ReadPrefix(string prefix)
    {
        lock (_gate)
        {
            var entries = _kv.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            ulong index;
            if (prefix.Length == 0)
            {
                index = _kvsIndex;
            }
            else
            {
                var live = entries.Count == 0 ? 0 : entries.Max(e => e.ModifyIndex);
                var dead = _tombstones.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.Value).DefaultIfEmpty(0UL).Max();
                index = Math.Max(live, dead);
            }

            return (entries, index != 0 ? index : _kvsIndex);
        }
    }

    /// <summary>A plain PUT: keeps the holder (locks are advisory), writes Value and Flags, and LockIndex 0.</summary>
    public void Set(string key, byte[] value, ulong flags)
    {
        lock (_gate)
        {
            var session = _kv.TryGetValue(key, out var existing) ? existing.Session : null;
            Write(new StoredKey(key, value, flags, 0, session, 0, 0));
        }
    }

    /// <summary><c>?cas=N</c>: 0 creates only if absent; otherwise writes only if ModifyIndex is N.</summary>
    public bool CompareAndSet(string key, byte[] value, ulong flags, ulong cas)
    {
        lock (_gate)
        {
            _kv.TryGetValue(key, out var existing);
            if ((cas == 0 && existing is not null) || (cas != 0 && (existing is null || existing.ModifyIndex != cas)))
            {
                return false;
            }

            Write(new StoredKey(key, value, flags, 0, existing?.Session, 0, 0));
            return true;
        }
    }

    /// <summary><c>?acquire=S</c>: the lock-delay pre-check, then <c>kvsLockTxn</c>.</summary>
    public KvLockResult Acquire(string key, byte[] value, ulong flags, string session)
    {
        lock (_gate)
        {
            if (_lockDelays.TryGetValue(key, out var until))
            {
                if (_time.GetUtcNow() < until)
                {
                    return new KvLockResult(false);
                }

                _lockDelays.Remove(key);
            }

            if (session.Length == 0)
            {
                return new KvLockResult(false, "missing session");
            }

            if (!_sessions.ContainsKey(session))
            {
                return new KvLockResult(false, $"invalid session \"{session}\"");
            }

            ulong lockIndex = 1;
            if (_kv.TryGetValue(key, out var existing))
            {
                if (string.Equals(existing.Session, session, StringComparison.Ordinal))
                {
                    lockIndex = existing.LockIndex;
                }
                else if (existing.Session is not null)
                {
                    return new KvLockResult(false);
                }
                else
                {
                    lockIndex = existing.LockIndex + 1;
                }
            }

            Write(new StoredKey(key, value, flags, lockIndex, session, 0, 0));
            return new KvLockResult(true);
        }
    }

    /// <summary><c>?release=S</c>: clears the holder, keeps LockIndex, and writes Value and Flags. No lock-delay.</summary>
    public KvLockResult Release(string key, byte[] value, ulong flags, string session)
    {
        lock (_gate)
        {
            if (session.Length == 0)
            {
                return new KvLockResult(false, "missing session");
            }

            if (!_kv.TryGetValue(key, out var existing) || !string.Equals(existing.Session, session, StringComparison.Ordinal))
            {
                return new KvLockResult(false);
            }

            Write(new StoredKey(key, value, flags, existing.LockIndex, null, 0, 0));
            return new KvLockResult(true);
        }
    }

    /// <summary>DELETE; with <paramref name="cas"/>, only if ModifyIndex matches (a missing key counts as deleted).</summary>
    public bool Delete(string key, ulong? cas)
    {
        lock (_gate)
        {
            if (!_kv.TryGetValue(key, out var existing))
            {
                return true;
            }

            if (cas is { } expected && existing.ModifyIndex != expected)
            {
                return false;
            }

            var index = NextIndex();
            Remove(key, index);
            return true;
        }
    }

    /// <summary>DELETE <c>?recurse</c>: every key under the prefix, at one index.</summary>
    public void DeleteTree(string prefix)
    {
        lock (_gate)
        {
            var keys = _kv.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (keys.Count == 0)
            {
                return;
            }

            var index = NextIndex();
            foreach (var key in keys)
            {
                Remove(key, index);
            }
        }
    }

    /// <summary><c>kvsSetTxn</c>: an equal entry is not written (no new ModifyIndex); CreateIndex survives updates.</summary>
    private void Write(StoredKey candidate)
    {
        _kv.TryGetValue(candidate.Key, out var existing);
        if (existing is not null && existing.SameContent(candidate))
        {
            return;
        }

        var index = NextIndex();
        _kv[candidate.Key] = candidate with { CreateIndex = existing?.CreateIndex ?? index, ModifyIndex = index };
        _kvsIndex = index;
        NotifyKey(candidate.Key);
    }

    private void Remove(string key, ulong index)
    {
        _kv.Remove(key);
        _tombstones[key] = index;
        _kvsIndex = index;
        NotifyKey(key);
    }
}
