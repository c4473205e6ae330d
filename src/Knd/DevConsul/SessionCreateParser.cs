using System.Text.Json;
using Knd.Consul;

namespace Knd.DevConsul;

/// <summary>
/// Decodes a session create body the way Consul does: Go's case-insensitive field matching with
/// unknown fields refused, LockDelay as a duration string or a number (below 1000 meaning seconds),
/// the agent's defaults, and <c>fixupEmptySessionChecks</c>.
/// </summary>
internal static class SessionCreateParser
{
    private static readonly long DefaultLockDelayNs = 15 * GoDuration.Second;

    /// <summary>Returns the spec, or the text of a 400 (<c>Request decode failed: …</c> is added by the caller).</summary>
    public static (SessionSpec? Spec, string? Error) Parse(byte[]? body, string defaultNode)
    {
        var name = string.Empty;
        var node = defaultNode;
        var behavior = DevConsulStore.BehaviorRelease;
        var ttl = string.Empty;
        var lockDelay = DefaultLockDelayNs;
        List<string>? nodeChecks = [DevConsulStore.SerfHealth];
        List<string>? checks = [DevConsulStore.SerfHealth];
        var serviceChecks = new List<string>();

        if (body is { Length: > 0 })
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                return (null, "invalid JSON: " + ex.Message);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    return (null, $"json: cannot unmarshal {GoKind(root)} into Go value of type structs.Session");
                }

                if (root.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in root.EnumerateObject())
                    {
                        var value = property.Value;
                        string? error = property.Name.ToUpperInvariant() switch
                        {
                            "ID" or "NAMESPACE" or "PARTITION" => StringField(value, "ID", out _),
                            "NAME" => StringField(value, "Name", out name, name),
                            "NODE" => StringField(value, "Node", out node, node),
                            "BEHAVIOR" => StringField(value, "Behavior", out behavior, behavior),
                            "TTL" => StringField(value, "TTL", out ttl, ttl),
                            "LOCKDELAY" => LockDelayField(value, ref lockDelay),
                            "NODECHECKS" => StringList(value, "NodeChecks", ref nodeChecks),
                            "CHECKS" => StringList(value, "Checks", ref checks),
                            "SERVICECHECKS" => ServiceCheckList(value, serviceChecks),
                            "CREATEINDEX" or "MODIFYINDEX" => value.ValueKind is JsonValueKind.Number or JsonValueKind.Null ? null : $"json: cannot unmarshal {GoKind(value)} into Go struct field Session.{property.Name} of type uint64",
                            _ => $"json: unknown field \"{property.Name}\"",
                        };
                        if (error is not null)
                        {
                            return (null, error);
                        }
                    }
                }
            }
        }

        // fixupEmptySessionChecks (agent/session_endpoint.go), for clients from before NodeChecks.
        if (checks is null || checks.Count == 0)
        {
            nodeChecks = [];
        }
        else if (checks.Count == 1 && checks[0] == DevConsulStore.SerfHealth)
        {
            checks = null;
        }
        else if (nodeChecks is null || nodeChecks.Count == 0)
        {
            checks = null;
        }

        var allChecks = (nodeChecks ?? []).Concat(checks ?? []).Distinct(StringComparer.Ordinal).ToList();
        return (new SessionSpec(name, node, lockDelay, behavior, ttl, allChecks, serviceChecks), null);
    }

    private static string? StringField(JsonElement value, string field, out string result, string current = "")
    {
        result = current;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                result = value.GetString()!;
                return null;
            case JsonValueKind.Null:
                return null;
            default:
                return $"json: cannot unmarshal {GoKind(value)} into Go struct field Session.{field} of type string";
        }
    }

    private static string? LockDelayField(JsonElement value, ref long lockDelay)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                if (!GoDuration.TryParse(value.GetString()!, out var parsed, out var error))
                {
                    return error;
                }

                lockDelay = parsed;
                return null;
            case JsonValueKind.Number:
                // Users send 15 meaning seconds; Go would read 15ns. Consul multiplies values below 1000 by 1s.
                var number = (long)value.GetDouble();
                lockDelay = number < 1000 ? number * GoDuration.Second : number;
                return null;
            case JsonValueKind.Null:
                return null;
            default:
                return $"json: cannot unmarshal {GoKind(value)} into Go struct field Session.LockDelay of type time.Duration";
        }
    }

    private static string? StringList(JsonElement value, string field, ref List<string>? list)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            list = null;
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return $"json: cannot unmarshal {GoKind(value)} into Go struct field Session.{field} of type []string";
        }

        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return $"json: cannot unmarshal {GoKind(item)} into Go struct field Session.{field} of type string";
            }

            items.Add(item.GetString()!);
        }

        list = items;
        return null;
    }

    private static string? ServiceCheckList(JsonElement value, List<string> ids)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return $"json: cannot unmarshal {GoKind(value)} into Go struct field Session.ServiceChecks of type []structs.ServiceCheck";
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return $"json: cannot unmarshal {GoKind(item)} into Go struct field Session.ServiceChecks of type structs.ServiceCheck";
            }

            var id = string.Empty;
            foreach (var field in item.EnumerateObject())
            {
                var upper = field.Name.ToUpperInvariant();
                if (upper is not ("ID" or "NAMESPACE"))
                {
                    return $"json: unknown field \"{field.Name}\"";
                }

                if (StringField(field.Value, "ServiceChecks." + field.Name, out var text) is { } error)
                {
                    return error;
                }

                id = upper == "ID" ? text : id;
            }

            ids.Add(id);
        }

        return null;
    }

    private static string GoKind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };
}
