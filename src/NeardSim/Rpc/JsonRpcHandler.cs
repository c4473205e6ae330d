using System.Text.Json;

namespace NeardSim.Rpc;

/// <summary>JSON-RPC on <c>POST /</c> with nearcore's envelope rules (reference neard.md §0).</summary>
internal sealed class JsonRpcHandler
{
    private static readonly HashSet<string> EnvelopeFields = new(StringComparer.Ordinal) { "jsonrpc", "method", "params", "id" };

    private readonly RpcMethods _methods;

    public JsonRpcHandler(RpcMethods methods) => _methods = methods;

    public async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var (status, response) = Handle(body.GetBuffer().AsSpan(0, (int)body.Length));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(response, context.RequestAborted);
    }

    /// <summary>The HTTP status and body for one request body.</summary>
    public (int Status, byte[] Body) Handle(ReadOnlySpan<byte> requestBody)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(requestBody.ToArray());
        }
        catch (JsonException e)
        {
            return Respond(RpcError.ParseError($"Error {e.Message}"), null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Respond(RpcError.ParseError("Error invalid type: expected a JSON-RPC request object"), null);
            }

            JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement : null;
            var envelopeError = CheckEnvelope(root);
            if (envelopeError is not null)
            {
                return Respond(envelopeError, id);
            }

            var method = root.GetProperty("method").GetString()!;
            var parameters = root.TryGetProperty("params", out var p) ? p : default;
            return Respond(_methods.Invoke(method, parameters), id);
        }
    }

    private static RpcError? CheckEnvelope(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!EnvelopeFields.Contains(property.Name))
            {
                return RpcError.ParseError(
                    $"Error unknown field `{property.Name}`, expected one of `jsonrpc`, `method`, `params`, `id`");
            }
        }

        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String
            || version.GetString() != "2.0")
        {
            return RpcError.ParseError("Error invalid value: jsonrpc must be \"2.0\"");
        }

        return root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String
            ? null
            : RpcError.ParseError("Error missing field `method`");
    }

    private static (int Status, byte[] Body) Respond(RpcOutcome outcome, JsonElement? id)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            if (outcome.Error is { } error)
            {
                writer.WritePropertyName("error");
                error.WriteTo(writer);
            }
            else
            {
                writer.WritePropertyName("result");
                outcome.WriteResult!(writer);
            }

            writer.WritePropertyName("id");
            if (id is { } value)
            {
                value.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return (outcome.Error?.HttpStatus ?? StatusCodes.Status200OK, buffer.ToArray());
    }
}
