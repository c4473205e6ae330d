namespace Knd.Peers;

/// <summary>
/// The nonces of the authentic requests seen while their timestamps are inside the window: a second
/// request with the same nonce is a replay. Only requests whose signature checked out are recorded,
/// so only holders of the cluster secret can fill it; its bound still keeps memory fixed.
/// </summary>
internal sealed class NonceCache
{
    /// <summary>At 4 heartbeats and 1 promise request a second per leader, the window holds a few dozen.</summary>
    public const int DefaultCapacity = 65536;

    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _expiries = new();

    public NonceCache(int capacity = DefaultCapacity) => _capacity = capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Records <paramref name="nonce"/> until <paramref name="expiresAtMs"/> (unix ms); false if it was seen already or the cache is full.</summary>
    public NonceVerdict TryAdd(string nonce, long expiresAtMs, long nowMs)
    {
        lock (_gate)
        {
            while (_expiries.TryPeek(out var oldest, out var expiry) && expiry <= nowMs)
            {
                _expiries.Dequeue();
                if (_seen.TryGetValue(oldest, out var stored) && stored == expiry)
                {
                    _seen.Remove(oldest);
                }
            }

            if (_seen.ContainsKey(nonce))
            {
                return NonceVerdict.Replayed;
            }

            if (_seen.Count >= _capacity)
            {
                return NonceVerdict.Full;
            }

            _seen[nonce] = expiresAtMs;
            _expiries.Enqueue(nonce, expiresAtMs);
            return NonceVerdict.Fresh;
        }
    }
}

internal enum NonceVerdict
{
    Fresh,
    Replayed,
    Full,
}
