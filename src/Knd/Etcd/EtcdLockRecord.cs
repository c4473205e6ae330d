using System.Text;
using System.Text.Json;

namespace Knd.Etcd;

/// <summary>
/// The last-holder record, <c>&lt;lock key&gt;/last-holder</c>: written without a lease, in the same
/// transaction as every acquisition (<c>released: false</c>) and every release (<c>released: true</c>,
/// with the value naming a handover target). It is what lets a reader tell apart, from the store
/// alone, the three ways the lock key can be absent: released (no lock-delay, like Consul's
/// <c>?release</c>), deleted with its lease (expiry or revoke: the lock-delay applies), or never
/// written (a new cluster, or an etcd that lost its data: the core's forgotten-state wait).
/// </summary>
internal sealed record EtcdLockRecord(long LeaseId, bool Released, byte[] Value)
{
    /// <summary>
    /// <c>{"lease":"694d7b1e9e8b5a0b","released":false,"value":{...lock value...}}</c>. The value is
    /// embedded as JSON when it is JSON (knd's always is), so <c>etcdctl get</c> shows it readably.
    /// </summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("lease", EtcdLeaseId.Format(LeaseId));
            writer.WriteBoolean("released", Released);
            writer.WritePropertyName("value");
            if (IsJson(Value))
            {
                writer.WriteRawValue(Value, skipInputValidation: true);
            }
            else
            {
                writer.WriteStringValue(Encoding.UTF8.GetString(Value));
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The record, or null when the bytes are not one (written by hand or by another tool).</summary>
    public static EtcdLockRecord? TryParse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("lease", out var lease) || lease.ValueKind != JsonValueKind.String
                || !EtcdLeaseId.TryParse(lease.GetString(), out var leaseId)
                || !root.TryGetProperty("released", out var released) || released.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }

            var value = root.TryGetProperty("value", out var v)
                ? v.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(v.GetString()!) : Encoding.UTF8.GetBytes(v.GetRawText())
                : [];
            return new EtcdLockRecord(leaseId, released.GetBoolean(), value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsJson(byte[] value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(value);
            using var document = JsonDocument.ParseValue(ref reader);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
