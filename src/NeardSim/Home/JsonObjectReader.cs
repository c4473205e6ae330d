using System.Text.Json;

namespace NeardSim.Home;

/// <summary>Typed reads of one JSON object's fields; every error names the file and the field.</summary>
internal readonly struct JsonObjectReader
{
    private readonly JsonElement _element;
    private readonly string _where;

    public JsonObjectReader(JsonElement element, string where)
    {
        _element = element;
        _where = where;
    }

    /// <summary>The sub-object <paramref name="name"/>, or null when it is absent or null.</summary>
    public JsonObjectReader? Object(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? new JsonObjectReader(value, $"{_where}{name}.")
            : throw Error(name, "must be an object");
    }

    public string? String(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(name, "must be a string");
    }

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } text ? text : throw Error(name, "is required (a non-empty string)");

    public long? Int64(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw Error(name, "must be an integer");
        }

        return number < min || number > max ? throw Error(name, $"must be between {min} and {max}") : number;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, "must be true or false"),
        };
    }

    public IReadOnlyList<JsonElement> Array(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : throw Error(name, "must be an array");
    }

    /// <summary>The raw value of <paramref name="name"/>, or null when it is absent or null.</summary>
    public JsonElement? Element(string name) => TryGet(name, out var value) ? value : null;

    public HomeFileException Error(string name, string problem) => new($"{_where}{name} {problem}");

    /// <summary>Absent and JSON null are the same to neard (serde Option).</summary>
    private bool TryGet(string name, out JsonElement value) =>
        _element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
}
