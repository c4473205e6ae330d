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

    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetBytesFromBase64();

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
