using System.Collections.Concurrent;

namespace Knd.DevConsul;

/// <summary>The injected network faults: added latency and black-holed clients. Leader loss lives in the store.</summary>
internal sealed class DevConsulFaults
{
    private readonly ConcurrentDictionary<string, bool> _blackholed = new(StringComparer.Ordinal);
    private long _latencyTicks;
    private long _noLeaderHoldTicks;

    /// <summary>Added before every API answer is written.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>
    /// How long a request needing the leader waits for one before failing with No cluster leader
    /// (Consul's rpc_hold_timeout is 7s; the default here is 0 so tests fail fast).
    /// </summary>
    public TimeSpan NoLeaderHold
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _noLeaderHoldTicks));
        set => Interlocked.Exchange(ref _noLeaderHoldTicks, Math.Max(0, value.Ticks));
    }

    public IReadOnlyList<string> BlackholedNodes => _blackholed.Keys.Order(StringComparer.Ordinal).ToList();

    public void SetBlackhole(string node, bool enabled)
    {
        if (enabled)
        {
            _blackholed[node] = true;
        }
        else
        {
            _blackholed.TryRemove(node, out _);
        }
    }

    public bool IsBlackholed(string? node) => !string.IsNullOrEmpty(node) && _blackholed.ContainsKey(node);
}
