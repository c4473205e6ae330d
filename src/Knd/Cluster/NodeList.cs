using System.Text.Json;
using System.Text.Json.Serialization;

namespace Knd.Cluster;

/// <summary>
/// A list of node ids in a member record (<c>failsafe_members</c>), a JSON array of strings on the
/// wire. Equal by its items, so a record that says the same list again is the same record.
/// </summary>
[JsonConverter(typeof(NodeListJsonConverter))]
internal sealed class NodeList(IReadOnlyList<string> items) : IEquatable<NodeList>
{
    public IReadOnlyList<string> Items { get; } = items;

    public bool Equals(NodeList? other) => other is not null && Items.SequenceEqual(other.Items, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as NodeList);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var item in Items)
        {
            hash.Add(item, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", Items);

    public static NodeList? Of(IReadOnlyList<string>? items) => items is null ? null : new NodeList(items);
}

/// <summary>
/// Reads and writes a <see cref="NodeList"/> as a JSON array of strings. Anything else reads as no
/// list (as Patroni discards a <c>/failsafe</c> key that holds garbage), and never costs the record.
/// </summary>
internal sealed class NodeListJsonConverter : JsonConverter<NodeList>
{
    public override NodeList? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var items = new List<string>();
        var valid = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } item)
            {
                items.Add(item);
            }
            else
            {
                valid = false;
                reader.Skip();
            }
        }

        return valid ? new NodeList(items) : null;
    }

    public override void Write(Utf8JsonWriter writer, NodeList value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value.Items)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
