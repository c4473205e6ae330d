using System.Text.Json.Serialization;

namespace Knd.Supervision;

/// <summary>
/// The JSON stored in the lock key (contract §3). <see cref="HandoverTo"/> is knd's addition: set on a
/// planned release so that only the named node takes the lock during the handover grace.
/// </summary>
internal sealed record LockValue(
    [property: JsonPropertyName("NodeId")] string NodeId,
    [property: JsonPropertyName("Hostname")] string Hostname,
    [property: JsonPropertyName("Pid")] int Pid,
    [property: JsonPropertyName("Since")] DateTimeOffset Since,
    [property: JsonPropertyName("HandoverTo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HandoverTo = null);

[JsonSerializable(typeof(LockValue))]
internal sealed partial class SupervisionJsonContext : JsonSerializerContext;
