using System.Text.Json;
using System.Text.Json.Serialization;

namespace Knd.Cluster;

/// <summary>
/// The JSON stored in the lock key (contract §3). <see cref="HandoverTo"/> is knd's addition: set on a
/// planned release so that only the named node takes the lock during the handover grace.
/// <see cref="BootId"/>, <see cref="PidNamespace"/> and <see cref="InstanceId"/> are knd's too: they
/// say which kernel boot and which pid namespace <see cref="Pid"/> belongs to, which a host name
/// cannot (two containers may share one), and which knd process wrote the value. Every added field is
/// optional when read: kuutamod and older knd versions write none of them.
/// </summary>
internal sealed record LockValue(
    [property: JsonPropertyName("NodeId")] string NodeId,
    [property: JsonPropertyName("Hostname")] string Hostname,
    [property: JsonPropertyName("Pid")] int Pid,
    [property: JsonPropertyName("Since")] DateTimeOffset Since,
    [property: JsonPropertyName("HandoverTo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HandoverTo = null)
{
    /// <summary>The writer's /proc/sys/kernel/random/boot_id: a new one on every boot of a kernel.</summary>
    [JsonPropertyName("BootId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BootId { get; init; }

    /// <summary>The writer's pid namespace, as readlink /proc/self/ns/pid gives it (<c>pid:[4026531836]</c>).</summary>
    [JsonPropertyName("PidNamespace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PidNamespace { get; init; }

    /// <summary>Random per knd process: tells apart two processes that got the same pid.</summary>
    [JsonPropertyName("InstanceId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InstanceId { get; init; }

    /// <summary>
    /// The one reader of a lock key's value: null when it is empty or not knd's (or kuutamod's) JSON,
    /// written by an operator or another tool. The key's Session still decides who holds the lock.
    /// </summary>
    public static LockValue? TryParse(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(value, LockValueJsonContext.Default.LockValue);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, LockValueJsonContext.Default.LockValue);
}

[JsonSerializable(typeof(LockValue))]
internal sealed partial class LockValueJsonContext : JsonSerializerContext;
