using System.Text.Json;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>
/// A request body read as a flat JSON object of known fields, with one-line errors that name the
/// field: unknown, repeated or wrongly typed fields are refused, never ignored. JSON null counts
/// as an absent field. An empty body is an empty object.
/// </summary>
internal sealed class JsonBody
{
    private readonly Dictionary<string, JsonElement> _fields;

    private JsonBody(Dictionary<string, JsonElement> fields) => _fields = fields;

    public static JsonBody? Parse(ReadOnlyMemory<byte> body, IReadOnlyCollection<string> known, out string? error)
    {
        error = null;
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (IsBlank(body.Span))
        {
            return new JsonBody(fields);
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"the body must be a JSON object, not {Describe(document.RootElement.ValueKind)}";
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    error = known.Count == 0
                        ? $"unknown field {ValueText.Quote(property.Name)}: this request takes no fields"
                        : $"unknown field {ValueText.Quote(property.Name)}; known fields: {string.Join(", ", known)}";
                    return null;
                }

                if (!fields.TryAdd(property.Name, property.Value.Clone()))
                {
                    error = $"field {ValueText.Quote(property.Name)} is given twice";
                    return null;
                }
            }

            return new JsonBody(fields);
        }
        catch (JsonException ex)
        {
            error = $"the body is not valid JSON: {FirstSentence(ex.Message)}";
            return null;
        }
    }

    public bool Has(string name) => _fields.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name, ref string? error)
    {
        if (!_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        error ??= $"field {ValueText.Quote(name)} must be a string, not {Describe(value.ValueKind)}";
        return null;
    }

    /// <summary>A whole number of at least <paramref name="minimum"/>, or null when absent.</summary>
    public long? Integer(string name, long minimum, ref string? error)
    {
        if (!_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum)
        {
            return number;
        }

        error ??= $"field {ValueText.Quote(name)} must be a whole number of at least {minimum}, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}";
        return null;
    }

    public bool? Boolean(string name, ref string? error)
    {
        if (!_fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        error ??= $"field {ValueText.Quote(name)} must be true or false, not {Describe(value.ValueKind)}";
        return null;
    }

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>System.Text.Json's message up to the position it names, on one line.</summary>
    private static string FirstSentence(string message) => message.ReplaceLineEndings(" ").Trim();
}
