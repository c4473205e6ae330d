using System.Text.Json.Serialization;
using Knd.Consul;

namespace Knd.DevConsul;

/// <summary><c>/v1/agent/self</c> as the dev server answers it (a small subset of Consul's).</summary>
internal sealed class DevAgentSelfWire
{
    public required AgentConfigWire Config { get; init; }

    public Dictionary<string, string> DebugConfig { get; init; } = [];

    public string? Coord { get; init; }

    public required DevMemberWire Member { get; init; }

    public Dictionary<string, string> Meta { get; init; } = [];
}

internal sealed class DevMemberWire
{
    public required string Name { get; init; }

    public required string Addr { get; init; }

    public int Port { get; init; } = 8301;

    public Dictionary<string, string> Tags { get; init; } = [];

    public int Status { get; init; } = 1;
}

/// <summary><c>GET /_dev/state</c>: everything the server holds, for debugging tests.</summary>
internal sealed class DevStateWire
{
    [JsonPropertyName("raftIndex")]
    public ulong RaftIndex { get; init; }

    [JsonPropertyName("kvsIndex")]
    public ulong KvsIndex { get; init; }

    [JsonPropertyName("sessionsIndex")]
    public ulong SessionsIndex { get; init; }

    [JsonPropertyName("hasLeader")]
    public bool HasLeader { get; init; }

    [JsonPropertyName("latencyMs")]
    public long LatencyMs { get; init; }

    [JsonPropertyName("noLeaderHoldMs")]
    public long NoLeaderHoldMs { get; init; }

    [JsonPropertyName("blackholed")]
    public IReadOnlyList<string> Blackholed { get; init; } = [];

    [JsonPropertyName("sessions")]
    public IReadOnlyList<DevSessionStateWire> Sessions { get; init; } = [];

    [JsonPropertyName("keys")]
    public IReadOnlyList<KvEntryWire> Keys { get; init; } = [];

    /// <summary>Key to remaining lock-delay in milliseconds.</summary>
    [JsonPropertyName("lockDelays")]
    public Dictionary<string, long> LockDelays { get; init; } = [];
}

internal sealed class DevSessionStateWire
{
    [JsonPropertyName("session")]
    public required SessionWire Session { get; init; }

    /// <summary>Milliseconds until the TTL timer fires; null without a TTL or while there is no leader.</summary>
    [JsonPropertyName("expiresInMs")]
    public long? ExpiresInMs { get; init; }
}

/// <summary>Bodies of the <c>/_dev/</c> fault endpoints.</summary>
internal sealed class NoLeaderFaultWire
{
    public bool Enabled { get; init; }

    public long? HoldMs { get; init; }
}

internal sealed class LatencyFaultWire
{
    public long Ms { get; init; }
}

internal sealed class BlackholeFaultWire
{
    public string? Node { get; init; }

    public bool Enabled { get; init; } = true;
}

internal sealed class IndexRegressionFaultWire
{
    public ulong Index { get; init; } = 1;
}
