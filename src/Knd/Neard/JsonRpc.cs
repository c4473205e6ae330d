using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Knd.Neard;

/// <summary>nearcore's JSON-RPC 2.0 envelope on <c>POST /</c> (../reference/neard.md §0).</summary>
internal static class JsonRpc
{
    /// <summary>The call's <c>result</c>, or its error object (nearcore sends those with 200, 400, 408, 422 or 500).</summary>
    public static async Task<NeardRpcResult<JsonElement>> CallAsync(NeardHttp http, string method, JsonNode parameters, CancellationToken cancellationToken)
    {
        var request = new JsonRpcRequest { Method = method, Params = parameters };
        var body = JsonSerializer.SerializeToUtf8Bytes(request, NeardJsonContext.Default.JsonRpcRequest);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var answer = await http.SendAsync(HttpMethod.Post, string.Empty, content, cancellationToken);
        if (!answer.TryGetValue(out var response, out var transportError))
        {
            return transportError;
        }

        return ParseAnswer(method, response.StatusCode, response.Body);
    }

    /// <summary>
    /// The envelope of one answer: its <c>result</c>, its error object, or why neither could be read.
    /// Total: any body gives one of those (NeardRpcFuzzTests).
    /// </summary>
    public static NeardRpcResult<JsonElement> ParseAnswer(string method, HttpStatusCode status, byte[] bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            // JSON is UTF-8 (RFC 8259); checked once here, every string read from the answer below is valid.
            return status == HttpStatusCode.OK
                ? new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{method}: the answer is not valid UTF-8", 200)
                : new NeardRpcError(NeardRpcErrorKind.HttpError, $"{method}: HTTP {(int)status} without a JSON-RPC answer", (int)status);
        }

        JsonRpcResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(bytes, NeardJsonContext.Default.JsonRpcResponse);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return status == HttpStatusCode.OK
                ? new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{method}: {ex.Message}", 200)
                : new NeardRpcError(NeardRpcErrorKind.HttpError, $"{method}: HTTP {(int)status} without a JSON-RPC answer", (int)status);
        }

        if (response?.Error is { } error)
        {
            var cause = error.Cause?.Name;
            var text = error.Data is { ValueKind: JsonValueKind.String } data ? data.GetString() : error.Message;
            return new NeardRpcError(NeardRpcErrorKind.RpcError, $"{method}: {NeardAnswers.Quote(text ?? "error")}", (int)status, error.Name, cause, error.Code);
        }

        if (status != HttpStatusCode.OK)
        {
            return new NeardRpcError(NeardRpcErrorKind.HttpError, $"{method}: HTTP {(int)status}", (int)status);
        }

        return response?.Result is { ValueKind: not JsonValueKind.Null } result
            ? NeardRpcResult<JsonElement>.Ok(result)
            : new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{method}: the answer has neither result nor error", 200);
    }
}
