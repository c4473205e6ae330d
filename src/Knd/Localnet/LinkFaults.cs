namespace Knd.Localnet;

/// <summary>
/// What one knd's network path to etcd suffers right now; every <see cref="FaultProxy"/> of that knd
/// reads it for each chunk it forwards, so a change applies to connections already open.
/// </summary>
internal sealed class LinkFaults
{
    private long _chunks;
    private long _spoiled;
    private volatile bool _blackholed;
    private long _latencyTicks;
    private volatile int _garbageEvery;

    /// <summary>Raised when the black hole ends: connections frozen by it are cut, as a TCP connection that timed out would be.</summary>
    public event Action? Healed;

    /// <summary>Nothing is forwarded in either direction (a partition); connects still succeed and then hang.</summary>
    public bool Blackholed
    {
        get => _blackholed;
        set
        {
            var healed = _blackholed && !value;
            _blackholed = value;
            if (healed)
            {
                Healed?.Invoke();
            }
        }
    }

    /// <summary>Every chunk etcd sends reaches knd this much later (order kept): a slow network or a slow etcd.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Every Nth chunk etcd sends is spoiled (0: none), cycling through <see cref="GarbageMode"/>.</summary>
    public int GarbageEvery
    {
        get => _garbageEvery;
        set => _garbageEvery = value;
    }

    /// <summary>How the next chunk etcd sends is spoiled, or null to forward it as it is.</summary>
    public GarbageMode? NextChunk()
    {
        var every = _garbageEvery;
        var n = Interlocked.Increment(ref _chunks);
        if (every <= 0 || n % every != 0)
        {
            return null;
        }

        var modes = Enum.GetValues<GarbageMode>();
        return modes[Interlocked.Increment(ref _spoiled) % modes.Length];
    }
}

/// <summary>How a spoiled chunk from etcd reaches knd: each ends the connection, none is a valid but wrong answer.</summary>
internal enum GarbageMode
{
    /// <summary>Half the chunk, then a reset: a frame cut in the middle.</summary>
    Truncate,

    /// <summary>An HTTP/1.1 502 from a middlebox instead of HTTP/2 frames, then a close.</summary>
    WrongProtocol,

    /// <summary>Nothing more on this connection for a while, then a reset: an answer that never comes.</summary>
    Stall,
}
