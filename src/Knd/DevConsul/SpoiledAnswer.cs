using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.DevConsul;

/// <summary>Writes an answer damaged by one <see cref="SpoilMode"/>.</summary>
internal static class SpoiledAnswer
{
    public const string IndexHeader = "X-Consul-Index";

    /// <summary>Not JSON, not UTF-8: what a broken proxy or a corrupted buffer hands back.</summary>
    private static readonly byte[] GarbageBytes = [0x00, 0xFF, 0xFE, .. "<html>garbage from a broken proxy"u8, 0xC3];

    public static async Task WriteAsync(HttpContext context, DevResponse answer, Spoil spoil, TimeProvider time, CancellationToken cancellationToken)
    {
        switch (spoil.Mode)
        {
            case SpoilMode.Reset:
                context.Abort();
                return;
            case SpoilMode.Stall:
                answer.WriteHead(context.Response);
                await context.Response.StartAsync(cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                return;
            case SpoilMode.Drip:
                answer.WriteHead(context.Response);
                await context.Response.StartAsync(cancellationToken);
                for (var i = 0; i < answer.Body.Length; i++)
                {
                    await context.Response.Body.WriteAsync(answer.Body.AsMemory(i, 1), cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    await Task.Delay(spoil.DripInterval, time, cancellationToken);
                }

                return;
            default:
                await Apply(answer, spoil.Mode).WriteAsync(context.Response, cancellationToken);
                return;
        }
    }

    /// <summary>The damaged answer for the modes that change the body or the index header.</summary>
    public static DevResponse Apply(DevResponse answer, SpoilMode mode) => mode switch
    {
        SpoilMode.Garbage => answer.WithBody(GarbageBytes),
        SpoilMode.Truncated => answer.WithBody(answer.Body[..(answer.Body.Length / 2)]),
        SpoilMode.WrongShape => answer.WithBody(Json(WrongShape(Parse(answer.Body)))),
        SpoilMode.WrongTypes => answer.WithBody(Json(WrongTypes(Parse(answer.Body)))),
        SpoilMode.MissingFields => answer.WithBody(MissingFields(Parse(answer.Body)) is { } emptied ? Json(emptied) : []),
        SpoilMode.NullEntries => answer.WithBody(Json(NullEntries(Parse(answer.Body)))),
        SpoilMode.IndexMissing => WithIndex(answer, null),
        SpoilMode.IndexGarbage => WithIndex(answer, "not-a-number"),
        SpoilMode.IndexHuge => WithIndex(answer, ulong.MaxValue.ToString(CultureInfo.InvariantCulture)),
        SpoilMode.IndexZero => WithIndex(answer, "0"),
        SpoilMode.IndexBackwards => WithIndex(answer, "1"),
        _ => answer,
    };

    private static DevResponse WithIndex(DevResponse answer, string? index)
    {
        var copy = answer.WithBody(answer.Body).WithoutHeader(IndexHeader);
        return index is null ? copy : copy.WithHeader(IndexHeader, index);
    }

    private static JsonNode? Parse(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // A plain-text error body: the JSON modes treat it as a bare value.
            return JsonValue.Create(Encoding.UTF8.GetString(body));
        }
    }

    private static byte[] Json(JsonNode? node) => Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");

    private static JsonNode WrongShape(JsonNode? node) =>
        node is JsonArray ? new JsonObject { ["unexpected"] = "an object where an array belongs" } : new JsonArray("unexpected", "an array");

    private static JsonNode? NullEntries(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return null;
        }

        var nulls = new JsonArray();
        for (var i = 0; i < Math.Max(1, array.Count); i++)
        {
            nulls.Add(null);
        }

        return nulls;
    }

    private static JsonNode? MissingFields(JsonNode? node) => node switch
    {
        JsonArray array => new JsonArray(Enumerable.Range(0, Math.Max(1, array.Count)).Select(_ => (JsonNode?)new JsonObject()).ToArray()),
        JsonObject => new JsonObject(),
        _ => null,
    };

    private static JsonNode? WrongTypes(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray(array.Select(element => element is JsonObject ? WrongTypes(element) : Swap(element)).ToArray());
            case JsonObject obj:
                var swapped = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    swapped[name] = Swap(value);
                }

                return swapped;
            default:
                return Swap(node);
        }
    }

    /// <summary>A value of another JSON type: a string becomes a number, a number, bool or null a string, a container a number.</summary>
    private static JsonNode Swap(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => JsonValue.Create(7),
        JsonValueKind.Number => JsonValue.Create("7"),
        JsonValueKind.True or JsonValueKind.False => JsonValue.Create("yes"),
        JsonValueKind.Array or JsonValueKind.Object => JsonValue.Create(7),
        _ => JsonValue.Create("%not base64%"),
    };
}
