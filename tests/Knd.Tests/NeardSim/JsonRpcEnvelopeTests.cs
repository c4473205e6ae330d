namespace Knd.Tests.NeardSim;

public sealed class JsonRpcEnvelopeTests : IDisposable
{
    private readonly SimTestHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Handle_NotJson_ParseError400WithNullId()
    {
        var (status, body) = new RpcTestNode(_home).Call("{nope");

        Assert.Equal(400, status);
        AssertRequestValidation(body, "PARSE_ERROR", -32700, "Parse error");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("id").ValueKind);
    }

    [Theory]
    [InlineData("""{"method":"status","params":[],"id":1}""")]
    [InlineData("""{"jsonrpc":"1.0","method":"status","params":[],"id":1}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"status","params":[],"id":1,"extra":true}""")]
    [InlineData("""{"jsonrpc":"2.0","params":[],"id":1}""")]
    [InlineData("""[{"jsonrpc":"2.0","method":"status","id":1}]""")]
    public void Handle_BadEnvelope_ParseError400(string request)
    {
        var (status, body) = new RpcTestNode(_home).Call(request);

        Assert.Equal(400, status);
        AssertRequestValidation(body, "PARSE_ERROR", -32700, "Parse error");
    }

    [Fact]
    public void Handle_UnknownMethod_MethodNotFound400()
    {
        var (status, body) = new RpcTestNode(_home).Call("""{"jsonrpc":"2.0","method":"gas_price","params":[null],"id":"q"}""");

        Assert.Equal(400, status);
        AssertRequestValidation(body, "METHOD_NOT_FOUND", -32601, "Method not found");
        Assert.Equal("gas_price", body.GetProperty("error").GetProperty("cause").GetProperty("info").GetProperty("method_name").GetString());
        Assert.Equal("gas_price", body.GetProperty("error").GetProperty("data").GetString());
        Assert.Equal("q", body.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("\"dontcare\"")]
    [InlineData("17")]
    [InlineData("{\"a\":[1,2]}")]
    [InlineData("null")]
    public void Handle_AnyId_IsEchoedVerbatim(string id)
    {
        var (status, body) = new RpcTestNode(_home).CallRaw($$"""{"jsonrpc":"2.0","method":"status","params":[],"id":{{id}}}""");

        Assert.Equal(200, status);
        Assert.EndsWith($",\"id\":{id}}}", body, StringComparison.Ordinal);
        Assert.StartsWith("{\"jsonrpc\":\"2.0\",\"result\":{", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_UnknownEpoch_HandlerError200WithoutInfo()
    {
        var (status, body) = new RpcTestNode(_home).Call("""{"jsonrpc":"2.0","method":"validators","params":{"epoch_id":"nope"},"id":1}""");

        Assert.Equal(200, status);
        var error = body.GetProperty("error");
        Assert.Equal("HANDLER_ERROR", error.GetProperty("name").GetString());
        Assert.Equal("""{"name":"UNKNOWN_EPOCH"}""", error.GetProperty("cause").GetRawText());
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        Assert.Equal("Unknown Epoch", error.GetProperty("data").GetString());
    }

    private static void AssertRequestValidation(System.Text.Json.JsonElement body, string cause, int code, string message)
    {
        Assert.Equal("2.0", body.GetProperty("jsonrpc").GetString());
        var error = body.GetProperty("error");
        Assert.Equal("REQUEST_VALIDATION_ERROR", error.GetProperty("name").GetString());
        Assert.Equal(cause, error.GetProperty("cause").GetProperty("name").GetString());
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("result", out _));
    }
}
