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

    /// <summary>The active <c>/_dev/spoil</c> rules.</summary>
    [JsonPropertyName("spoilRules")]
    public IReadOnlyList<DevSpoilRuleWire> SpoilRules { get; init; } = [];

    /// <summary>How many answers were spoiled since start.</summary>
    [JsonPropertyName("spoiledTotal")]
    public long SpoiledTotal { get; init; }

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

/// <summary>
/// Body of <c>PUT /_dev/spoil</c>: one rule, or <c>{"clear":true}</c>. <see cref="Mode"/> or
/// <see cref="Modes"/> (used in turn; <c>"all"</c> means every mode); the other fields narrow which
/// answers it damages.
/// </summary>
internal sealed class SpoilFaultWire
{
    public bool Clear { get; init; }

    public string? Mode { get; init; }

    public IReadOnlyList<string>? Modes { get; init; }

    public string? Op { get; init; }

    public IReadOnlyList<string>? Ops { get; init; }

    public string? PathPrefix { get; init; }

    public string? Node { get; init; }

    public int? Count { get; init; }

    public int? Every { get; init; }

    public long? DripMs { get; init; }
}

/// <summary>One active spoil rule in <c>GET /_dev/state</c>.</summary>
internal sealed class DevSpoilRuleWire
{
    [JsonPropertyName("id")]
    public int Id { get; init; }

    [JsonPropertyName("modes")]
    public IReadOnlyList<string> Modes { get; init; } = [];

    [JsonPropertyName("ops")]
    public IReadOnlyList<string> Ops { get; init; } = [];

    [JsonPropertyName("pathPrefix")]
    public string? PathPrefix { get; init; }

    [JsonPropertyName("node")]
    public string? Node { get; init; }

    [JsonPropertyName("every")]
    public int Every { get; init; }

    /// <summary>Answers still to spoil; null: until cleared.</summary>
    [JsonPropertyName("remaining")]
    public int? Remaining { get; init; }

    [JsonPropertyName("matched")]
    public int Matched { get; init; }

    [JsonPropertyName("spoiled")]
    public int Spoiled { get; init; }
}
