using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeardSim.Rpc;

/// <summary>
/// nearcore's RpcError: a flattened kind (<c>name</c> + <c>cause</c>), then the legacy
/// <c>code</c>, <c>message</c> and <c>data</c>; plus the HTTP status nearcore answers it with.
/// </summary>
internal sealed record RpcError(string Name, JsonObject Cause, int Code, string Message, string? Data, int HttpStatus)
{
    public static RpcError ParseError(string problem) => new(
        "REQUEST_VALIDATION_ERROR",
        new JsonObject { ["name"] = "PARSE_ERROR", ["info"] = new JsonObject { ["error_message"] = problem } },
        -32700,
        "Parse error",
        problem,
        StatusCodes.Status400BadRequest);

    public static RpcError MethodNotFound(string method) => new(
        "REQUEST_VALIDATION_ERROR",
        new JsonObject { ["name"] = "METHOD_NOT_FOUND", ["info"] = new JsonObject { ["method_name"] = method } },
        -32601,
        "Method not found",
        method,
        StatusCodes.Status400BadRequest);

    /// <summary>A handler error whose cause carries no info (UNKNOWN_EPOCH, NODE_IS_SYNCING).</summary>
    public static RpcError Handler(string cause, string data) => new(
        "HANDLER_ERROR", new JsonObject { ["name"] = cause }, -32000, "Server error", data, StatusCodes.Status200OK);

    /// <summary>HTTP 200 for a block above the head; nearcore answers 422 for one below the latest height.</summary>
    public static RpcError UnknownBlock(JsonNode blockReference, string data, int httpStatus = StatusCodes.Status200OK) => new(
        "HANDLER_ERROR",
        new JsonObject { ["name"] = "UNKNOWN_BLOCK", ["info"] = new JsonObject { ["block_reference"] = blockReference } },
        -32000,
        "Server error",
        data,
        httpStatus);

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WritePropertyName("cause");
        Cause.WriteTo(writer);
        writer.WriteNumber("code", Code);
        writer.WriteString("message", Message);
        if (Data is not null)
        {
            writer.WriteString("data", Data);
        }

        writer.WriteEndObject();
    }
}
