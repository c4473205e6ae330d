using System.Text;
using System.Text.Json;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.DevConsul;

/// <summary>Exact status codes, bodies and headers of knd dev-consul, checked with a raw HttpClient (consul-api.md §1, §2, §4).</summary>
public sealed partial class DevConsulHttpTests : IAsyncLifetime
{
    private DevServerHarness _dev = null!;

    public async Task InitializeAsync() => _dev = await DevServerHarness.StartAsync();

    public async Task DisposeAsync() => await _dev.DisposeAsync();

    [Fact]
    public async Task MissingKey_Is404WithAnEmptyBody_AndReadHeaders()
    {
        var (status, body, headers) = await SendAsync("GET", "v1/kv/nothing/here");

        Assert.Equal(404, status);
        Assert.Equal(string.Empty, body);
        Assert.Equal("1", headers["X-Consul-Index"]);
        Assert.Equal("true", headers["X-Consul-KnownLeader"]);
        Assert.Equal("0", headers["X-Consul-LastContact"]);
    }

    [Fact]
    public async Task FreshServer_ListsNoSessions_WithIndexOneNotZero()
    {
        var (status, body, headers) = await SendAsync("GET", "v1/session/list");

        Assert.Equal(200, status);
        Assert.Equal("[]", body);
        Assert.Equal("1", headers["X-Consul-Index"]);
    }

    [Fact]
    public async Task GetKey_HasConsulsFields_OmitsSessionWhenUnlocked_AndWritesEmptyValueAsNull()
    {
        await SendAsync("PUT", "v1/kv/app/empty");
        await SendAsync("PUT", "v1/kv/app/full?flags=3", "test");

        var (_, empty, _) = await SendAsync("GET", "v1/kv/app/empty");
        var (_, full, headers) = await SendAsync("GET", "v1/kv/app/full");

        using var emptyJson = JsonDocument.Parse(empty);
        var entry = emptyJson.RootElement[0];
        Assert.Equal(["LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("Value").ValueKind);
        using var fullJson = JsonDocument.Parse(full);
        Assert.Equal("dGVzdA==", fullJson.RootElement[0].GetProperty("Value").GetString());
        Assert.Equal(3, fullJson.RootElement[0].GetProperty("Flags").GetInt32());
        Assert.Equal(fullJson.RootElement[0].GetProperty("ModifyIndex").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), headers["X-Consul-Index"]);
    }

    [Fact]
    public async Task GetKey_WhenLocked_HasTheSession()
    {
        var session = await CreateSessionAsync("""{"TTL":"15s"}""");
        var (_, acquired, _) = await SendAsync("PUT", $"v1/kv/lock?acquire={session}", "me");

        var (_, body, _) = await SendAsync("GET", "v1/kv/lock");

        Assert.Equal("true", acquired);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(session, json.RootElement[0].GetProperty("Session").GetString());
        Assert.Equal(1, json.RootElement[0].GetProperty("LockIndex").GetInt32());
    }

    [Fact]
    public async Task RawRead_ReturnsTheBytesAsPlainText_WithSandboxHeaders()
    {
        await SendAsync("PUT", "v1/kv/raw", "plain bytes");

        var (status, body, headers) = await SendAsync("GET", "v1/kv/raw?raw");

        Assert.Equal(200, status);
        Assert.Equal("plain bytes", body);
        Assert.Equal("text/plain", headers["Content-Type"]);
        Assert.Equal("nosniff", headers["X-Content-Type-Options"]);
        Assert.Equal("sandbox", headers["Content-Security-Policy"]);
    }

    [Fact]
    public async Task RecurseAndKeys_ListThePrefix_And404WhenEmpty()
    {
        await SendAsync("PUT", "v1/kv/svc/a/1", "x");
        await SendAsync("PUT", "v1/kv/svc/a/2", "x");
        await SendAsync("PUT", "v1/kv/svc/b", "x");

        var (_, recurse, _) = await SendAsync("GET", "v1/kv/svc/?recurse");
        var (_, keys, _) = await SendAsync("GET", "v1/kv/svc/?keys");
        var (_, separated, _) = await SendAsync("GET", "v1/kv/svc/?keys&separator=/");
        var (emptyStatus, emptyBody, _) = await SendAsync("GET", "v1/kv/none/?recurse");

        using var recurseJson = JsonDocument.Parse(recurse);
        Assert.Equal(3, recurseJson.RootElement.GetArrayLength());
        Assert.Equal("""["svc/a/1","svc/a/2","svc/b"]""", keys);
        Assert.Equal("""["svc/a/","svc/b"]""", separated);
        Assert.Equal((404, string.Empty), (emptyStatus, emptyBody));
    }

    [Fact]
    public async Task BlockingRead_WithoutAChange_AnswersAfterWait_WithTheSameIndex()
    {
        await SendAsync("PUT", "v1/kv/quiet", "x");
        var (_, _, headers) = await SendAsync("GET", "v1/kv/quiet");
        var index = headers["X-Consul-Index"];
        var started = TimeProvider.System.GetTimestamp();

        var (status, _, after) = await SendAsync("GET", $"v1/kv/quiet?index={index}&wait=100ms");

        Assert.Equal(200, status);
        Assert.Equal(index, after["X-Consul-Index"]);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(90));
    }

    [Theory]
    [InlineData("v1/kv/k?wait=soon", "Invalid wait time")]
    [InlineData("v1/kv/k?index=-1", "Invalid index")]
    [InlineData("v1/kv/k?stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    [InlineData("v1/session/list?wait=1x", "Invalid wait time")]
    [InlineData("v1/kv/", "Missing key name")]
    public async Task BadReadParameters_Are400WithConsulsText(string path, string expected)
    {
        var (status, body, _) = await SendAsync("GET", path);

        Assert.Equal((400, expected), (status, body));
    }

    [Fact]
    public async Task ConflictingPutFlags_Are400()
    {
        var (status, body, _) = await SendAsync("PUT", "v1/kv/k?cas=0&acquire=abc", "x");

        Assert.Equal(400, status);
        Assert.Equal("Conflicting flags: acquire=abc&cas=0\n", body);
    }

    [Fact]
    public async Task ValueOverTheLimit_Is413()
    {
        var (status, body, _) = await SendAsync("PUT", "v1/kv/big", new string('x', (512 * 1024) + 1));

        Assert.Equal(413, status);
        Assert.StartsWith("Request body(524289 bytes) too large, max size: 524288 bytes.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_WithAnUnknownOrMissingSession_Is500()
    {
        var (unknownStatus, unknownBody, _) = await SendAsync("PUT", "v1/kv/k?acquire=no-such-session", "x");
        var (missingStatus, missingBody, _) = await SendAsync("PUT", "v1/kv/k?acquire=", "x");

        Assert.Equal((500, "invalid session \"no-such-session\""), (unknownStatus, unknownBody));
        Assert.Equal((500, "missing session"), (missingStatus, missingBody));
    }

    [Fact]
    public async Task WrongMethod_Is405WithAllow()
    {
        var (status, _, headers) = await SendAsync("POST", "v1/kv/k", "x");

        Assert.Equal(405, status);
        Assert.Equal("GET, PUT, DELETE", headers["Allow"]);
    }

    [Fact]
    public async Task DevState_ShowsSessionsKeysAndLockDelays()
    {
        var session = await CreateSessionAsync("""{"TTL":"15s","LockDelay":"5s"}""");
        await SendAsync("PUT", $"v1/kv/held?acquire={session}", "x");
        await SendAsync("PUT", $"v1/session/destroy/{session}");

        var (status, body, _) = await SendAsync("GET", "_dev/state");

        Assert.Equal(200, status);
        using var state = JsonDocument.Parse(body);
        Assert.True(state.RootElement.GetProperty("hasLeader").GetBoolean());
        Assert.Equal(0, state.RootElement.GetProperty("sessions").GetArrayLength());
        Assert.Equal("held", state.RootElement.GetProperty("keys")[0].GetProperty("Key").GetString());
        Assert.InRange(state.RootElement.GetProperty("lockDelays").GetProperty("held").GetInt64(), 1, 5000);
    }

    private async Task<string> CreateSessionAsync(string body)
    {
        var (status, created, _) = await SendAsync("PUT", "v1/session/create", body);
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(created);
        return json.RootElement.GetProperty("ID").GetString()!;
    }

    private Task<(int Status, string Body, Dictionary<string, string> Headers)> SendAsync(string method, string path, string? body = null) =>
        SendAsync(_dev.Http, method, path, body);

    internal static async Task<(int Status, string Body, Dictionary<string, string> Headers)> SendAsync(HttpClient http, string method, string path, string? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var deadline = Deadline.After(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }

        configure?.Invoke(request);
        using var response = await http.SendAsync(request, deadline.Token);
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token), headers);
    }
}
