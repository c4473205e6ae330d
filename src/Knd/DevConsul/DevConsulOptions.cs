using System.Net;

namespace Knd.DevConsul;

/// <summary>Settings of <see cref="DevConsulServer"/> (<c>knd dev-consul</c> flags map one to one).</summary>
internal sealed class DevConsulOptions
{
    public const string DefaultNodeName = "dev-consul";
    public const string DefaultDatacenter = "dc1";

    /// <summary>Consul's <c>kv_max_value_size</c> default (the Raft SuggestedMaxDataSize).</summary>
    public const int DefaultMaxValueSize = 512 * 1024;

    public static readonly TimeSpan DefaultSessionTtlMin = TimeSpan.FromSeconds(10);

    /// <summary>Where to listen; port 0 picks a free port (read it back from <see cref="DevConsulServer.BaseAddress"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8500);

    /// <summary>When set, every endpoint but <c>/v1/status/*</c> requires this token.</summary>
    public string? AclToken { get; init; }

    /// <summary>Consul's <c>session_ttl_min</c>.</summary>
    public TimeSpan SessionTtlMin { get; init; } = DefaultSessionTtlMin;

    /// <summary>The one registered node: sessions may only be created for it.</summary>
    public string NodeName { get; init; } = DefaultNodeName;

    public string Datacenter { get; init; } = DefaultDatacenter;

    public int MaxValueSize { get; init; } = DefaultMaxValueSize;

    /// <summary>
    /// Clients (X-Knd-Node) cut off from the first request on, as <c>PUT /_dev/blackhole</c> would:
    /// a server restarted empty can come back behind a partition that was in place before it died.
    /// </summary>
    public IReadOnlyList<string> Blackholed { get; init; } = [];

    /// <summary>Drives TTL expiry, lock-delays, blocking waits and injected latency.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The random stagger added to a blocking wait, given the wait (Consul: up to wait/16).
    /// Tests pass <c>_ => TimeSpan.Zero</c>. Null means Consul's behaviour.
    /// </summary>
    public Func<TimeSpan, TimeSpan>? BlockingStagger { get; init; }

    /// <summary>Where the server logs. Null means no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
