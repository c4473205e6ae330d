using System.Text;
using System.Text.Json;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>
/// Every error answer of the control socket is an RFC 9457 problem document with a one-line
/// <c>detail</c>, and the failed request changed nothing.
/// </summary>
public sealed class ControlProblemTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);

    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory(Timeout = 30_000)]
    [InlineData("POST", "/maintenance", "{\"kind\":", 400, "Bad Request", "the body is not valid JSON: ")]
    [InlineData("POST", "/maintenance", "{\"kind\":\"shutdown\",\"kind\":\"restart\"}", 400, "Bad Request", "field \"kind\" is given twice")]
    [InlineData("POST", "/switchover", "{\"to\":\"b\",\"force\":true}", 400, "Bad Request", "unknown field \"force\"; known fields: to")]
    [InlineData("POST", "/resume", "[]", 400, "Bad Request", "the body must be a JSON object, not an array")]
    [InlineData("GET", "/pause", null, 405, "Method Not Allowed", "\"/pause\" takes POST, not \"GET\"")]
    [InlineData("GET", "/metrics", null, 404, "Not Found", "no route \"/metrics\"; routes: GET /status, ")]
    [InlineData("GET", "/Status", null, 404, "Not Found", "no route \"/Status\"; routes: ")]
    public async Task Error_IsAProblemDocument_WithOneLineDetail(string method, string path, string? body, int status, string title, string detail)
    {
        var (head, json) = Split(await RawRequestAsync(method, path, body, "application/json"));

        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(json);
        var root = problem.RootElement;
        Assert.Equal("about:blank", root.GetProperty("type").GetString());
        Assert.Equal(title, root.GetProperty("title").GetString());
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        var text = root.GetProperty("detail").GetString()!;
        Assert.StartsWith(detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain("\\u0022", json, StringComparison.Ordinal);
        Assert.Empty(_server.Control.MaintenanceRequests);
        Assert.Empty(_server.Control.SwitchoverRequests);
        Assert.False(_server.Control.Paused);
    }

    [Fact(Timeout = 30_000)]
    public async Task Refusal_Is409Problem_AndTheCliReadsItsDetail()
    {
        _server.Control.RefusePause = "the pause flag was not written";

        var (head, json) = Split(await RawRequestAsync("POST", "/pause", null, null));
        using var client = _server.Client();
        var call = await client.PostAsync(ControlRoutes.Pause, null, CancellationToken.None);

        Assert.StartsWith("HTTP/1.1 409 ", head, StringComparison.Ordinal);
        Assert.Equal("{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"the pause flag was not written\"}\n", json);
        Assert.Equal("the pause flag was not written", call.Error);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    public async Task PostWithoutAJsonContentType_IsStillRead(string? contentType)
    {
        // kuutamoctl sends no Content-Type; curl -d sends a form type. The body is JSON either way.
        var (head, _) = Split(await RawRequestAsync("POST", "/maintenance", "{\"kind\":\"restart\",\"shutdown_at\":1020}", contentType));

        Assert.StartsWith("HTTP/1.1 200 ", head, StringComparison.Ordinal);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Restart, null, 1020, false), Assert.Single(_server.Control.MaintenanceRequests));
    }

    [Fact]
    public void ErrorOfAnOlderKnd_IsStillReadByTheCli()
    {
        // A host mid-upgrade may still run a knd that answered {"error": ...}.
        Assert.Equal("no duty-free window", new ControlCall(409, "{\"error\":\"no duty-free window\"}\n").Error);
        Assert.Equal("HTTP 502: <html>bad gateway</html>", new ControlCall(502, "<html>bad gateway</html>").Error);
    }

    private Task<string> RawRequestAsync(string method, string path, string? body, string? contentType)
    {
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        if (contentType is not null)
        {
            request.Append($"Content-Type: {contentType}\r\n");
        }

        request.Append(body is null ? "\r\n" : $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        return _server.RawAsync(Encoding.UTF8.GetBytes(request.ToString()), Answer);
    }

    private static (string Head, string Body) Split(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no HTTP answer: {answer}");
        return (answer[..(end + 2)], answer[(end + 4)..]);
    }
}
