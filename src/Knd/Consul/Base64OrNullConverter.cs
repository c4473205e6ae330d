using System.Text.Json;
using System.Text.Json.Serialization;

namespace Knd.Consul;

/// <summary>
/// Consul's KV <c>Value</c>: base64, or JSON <c>null</c> when empty (issue #875). The built-in byte[]
/// converter writes a null array as <c>""</c>, which Consul never sends.
/// </summary>
internal sealed class Base64OrNullConverter : JsonConverter<byte[]?>
{
    public override bool HandleNull => true;

    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        // Anything but a base64 string is a malformed answer, reported as the parser's own error.
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var bytes))
        {
            throw new JsonException($"a KV Value that is not base64 or null ({reader.TokenType})");
        }

        return bytes;
    }

    public override void Write(Utf8JsonWriter writer, byte[]? value, JsonSerializerOptions options)
    {
        if (value is null || value.Length == 0)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }
}
