using System.Text.Json.Serialization;

namespace Knd.Consul;

// Consul's JSON shapes, field for field (names are PascalCase as Consul writes them). Shared by
// the client and knd dev-consul so the two cannot drift apart.

/// <summary>Body of <c>PUT /v1/session/create</c> as the client sends it.</summary>
internal sealed class SessionCreateWire
{
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; init; }

    /// <summary>A Go duration string; sent even when zero, since an absent LockDelay means 15s.</summary>
    public string? LockDelay { get; init; }

    public string? Behavior { get; init; }

    [JsonPropertyName("TTL")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ttl { get; init; }

    public IReadOnlyList<string>? NodeChecks { get; init; }
}

/// <summary>The answer of <c>PUT /v1/session/create</c>.</summary>
internal sealed class SessionCreatedWire
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }
}

internal sealed class ServiceCheckWire
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>One session, as in the arrays of info/renew/list/node.</summary>
internal sealed class SessionWire
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Node { get; init; }

    /// <summary>Nanoseconds.</summary>
    public long LockDelay { get; init; }

    public string? Behavior { get; init; }

    /// <summary>The TTL string exactly as the session was created with.</summary>
    [JsonPropertyName("TTL")]
    public string? Ttl { get; init; }

    public IReadOnlyList<string>? NodeChecks { get; init; }

    public IReadOnlyList<ServiceCheckWire>? ServiceChecks { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary>One KV entry. <see cref="Session"/> is omitted when unlocked; <see cref="Value"/> is base64 or null.</summary>
internal sealed class KvEntryWire
{
    public ulong LockIndex { get; init; }

    public string? Key { get; init; }

    public ulong Flags { get; init; }

    [JsonConverter(typeof(Base64OrNullConverter))]
    public byte[]? Value { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Session { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary><c>Config</c> of <c>/v1/agent/self</c>.</summary>
internal sealed class AgentConfigWire
{
    public string? Datacenter { get; init; }

    public string? PrimaryDatacenter { get; init; }

    public string? NodeName { get; init; }

    [JsonPropertyName("NodeID")]
    public string? NodeId { get; init; }

    public bool Server { get; init; }

    public string? Revision { get; init; }

    public string? Version { get; init; }
}

/// <summary>The part of <c>/v1/agent/self</c> knd reads.</summary>
internal sealed class AgentSelfWire
{
    public AgentConfigWire? Config { get; init; }
}
