using System.Text.Encodings.Web;
using System.Text.Json;
using NeardSim.Home;

namespace NeardSim.Signing;

/// <summary>One signed height: <c>{"height":H,"account_id":"A","home":"/abs/DIR","pid":P,"time":"..."}</c>.</summary>
internal readonly record struct LedgerLine(long Height, string AccountId, string Home, int Pid, DateTimeOffset Time)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The exact bytes of the line, newline included, in the contract's field order.</summary>
    public byte[] ToUtf8()
    {
        using var buffer = new MemoryStream(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("height", Height);
            writer.WriteString("account_id", AccountId);
            writer.WriteString("home", Home);
            writer.WriteNumber("pid", Pid);
            writer.WriteString("time", Rfc3339.FormatMillis(Time));
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
