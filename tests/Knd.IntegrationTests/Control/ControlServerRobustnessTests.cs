using System.Net.Sockets;
using System.Text;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>Nothing a client sends crashes or wedges the server: after each abuse it still answers a normal request.</summary>
public sealed class ControlServerRobustnessTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);

    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task GarbageBytes_GetA400_AndTheServerGoesOn()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);

        var answer = await _server.RawAsync(bytes, Answer);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task OversizedBody_WithContentLength_Is413()
    {
        var answer = await RawRequestAsync("POST", ControlRoutes.Maintenance, new string(' ', 1024 * 1024));

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\"status\":413,\"detail\":\"the request body is over 65536 bytes\"}", answer, StringComparison.Ordinal);
        Assert.Empty(_server.Control.MaintenanceRequests);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task OversizedBody_Chunked_Is413()
    {
        var chunk = new string('x', 32 * 1024);
        var body = new StringBuilder();
        for (var i = 0; i < 4; i++)
        {
            body.Append($"{chunk.Length:x}\r\n{chunk}\r\n");
        }

        body.Append("0\r\n\r\n");
        var request = $"POST /switchover HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n{body}";

        var answer = await _server.RawAsync(Encoding.ASCII.GetBytes(request), Answer);

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Empty(_server.Control.SwitchoverRequests);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task HalfRequest_ThenSilence_DoesNotBlockOthers_AndDisconnectIsHarmless()
    {
        using var slow = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await slow.ConnectAsync(new UnixDomainSocketEndPoint(_server.SocketPath));
        await slow.SendAsync(Encoding.ASCII.GetBytes("GET /status HTTP/1.1\r\nHost: local"));

        await AssertStillServesAsync();
        slow.Close();
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task DisconnectMidBody_IsHarmless_AndNothingIsScheduled()
    {
        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await client.ConnectAsync(new UnixDomainSocketEndPoint(_server.SocketPath));
            await client.SendAsync(Encoding.ASCII.GetBytes("POST /maintenance HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"kind\":\"shut"));
        }

        await AssertStillServesAsync();
        Assert.Empty(_server.Control.MaintenanceRequests);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("PUT", "/maintenance", "GET, POST")]
    [InlineData("DELETE", "/status", "GET")]
    [InlineData("GET", "/pause", "POST")]
    [InlineData("POST", "/active_validator", "GET")]
    [InlineData("HEAD", "/switchover", "GET, POST")]
    public async Task WrongMethod_Is405_WithAllow(string method, string path, string allow)
    {
        var answer = await RawRequestAsync(method, path, null);

        Assert.StartsWith("HTTP/1.1 405", answer, StringComparison.Ordinal);
        Assert.Contains($"Allow: {allow}\r\n", answer, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/")]
    [InlineData("/maintenance_stop")]
    [InlineData("/status/")]
    [InlineData("/../etc/passwd")]
    public async Task UnknownRoute_Is404_WithTheRouteList(string path)
    {
        using var client = _server.Client();

        var call = await client.GetAsync(path, CancellationToken.None);

        Assert.Equal(404, call.Status);
        Assert.Contains("routes: GET /status", call.Error, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{\"kind\":", "the body is not valid JSON: ")]
    [InlineData("{\"kind\":\"shutdown\",\"force\":true}", "unknown field \"force\"")]
    [InlineData("{\"kind\":\"shutdown\",\"minimum_length\":\"ten\"}", "field \"minimum_length\" must be a whole number")]
    [InlineData("{\"kind\":\"shutdown\",\"minimum_length\":10,\"shutdown_at\":1020}", "give either minimum_length or shutdown_at, not both")]
    [InlineData("{\"kind\":\"nap\"}", "field \"kind\" must be \"shutdown\" or \"restart\"")]
    public async Task BadMaintenanceBody_Is400_AndNothingIsScheduled(string body, string error)
    {
        using var client = _server.Client();

        var call = await client.PostAsync(ControlRoutes.Maintenance, Encoding.UTF8.GetBytes(body), CancellationToken.None);

        Assert.Equal(400, call.Status);
        Assert.StartsWith(error, call.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Control.MaintenanceRequests);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task BodyOnPause_Is400()
    {
        using var client = _server.Client();

        var call = await client.PostAsync(ControlRoutes.Pause, Encoding.UTF8.GetBytes("{\"forever\":true}"), CancellationToken.None);

        Assert.Equal(400, call.Status);
        Assert.False(_server.Control.Paused);
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyAbusiveConnectionsAtOnce_ThenANormalRequest()
    {
        var abuse = Enumerable.Range(0, 50).Select(i => _server.RawAsync(Encoding.ASCII.GetBytes(i % 2 == 0 ? "\0\0\0\0" : "POST /pause HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), TimeSpan.FromSeconds(5)));

        await Task.WhenAll(abuse);

        await AssertStillServesAsync();
        Assert.False(_server.Control.Paused);
    }

    private Task<string> RawRequestAsync(string method, string path, string? body)
    {
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        request.Append(body is null ? "\r\n" : $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        return _server.RawAsync(Encoding.UTF8.GetBytes(request.ToString()), Answer);
    }

    private async Task AssertStillServesAsync()
    {
        using var client = _server.Client();
        var call = await client.GetAsync(ControlRoutes.Status, CancellationToken.None);
        Assert.Equal(200, call.Status);
        Assert.Contains("\"node_id\":\"node-a\"", call.Body, StringComparison.Ordinal);
    }
}
