using System.Text.Json;

namespace Knd.Tests.DevConsul;

public sealed partial class DevConsulHttpTests
{
    [Fact]
    public async Task SessionCreate_WithoutABody_UsesTheAgentDefaults()
    {
        var id = await CreateSessionAsync(string.Empty);

        var session = await InfoAsync(id);

        Assert.Equal("dev-consul", session.GetProperty("Node").GetString());
        Assert.Equal(15_000_000_000, session.GetProperty("LockDelay").GetInt64());
        Assert.Equal("release", session.GetProperty("Behavior").GetString());
        Assert.Equal(string.Empty, session.GetProperty("TTL").GetString());
        Assert.Equal("""["serfHealth"]""", session.GetProperty("NodeChecks").GetRawText());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("ServiceChecks").ValueKind);
    }

    [Theory]
    [InlineData("""{"Checks":[]}""", "[]")]
    [InlineData("""{"NodeChecks":[]}""", "[]")]
    [InlineData("""{"NodeChecks":["serfHealth"]}""", """["serfHealth"]""")]
    [InlineData("""{"name":"lowercase fields match too"}""", """["serfHealth"]""")]
    public async Task SessionCreate_CheckFixUp_FollowsConsul(string body, string expectedChecks)
    {
        var session = await InfoAsync(await CreateSessionAsync(body));

        Assert.Equal(expectedChecks, session.GetProperty("NodeChecks").GetRawText());
    }

    [Theory]
    [InlineData("15", 15_000_000_000)]
    [InlineData("\"15s\"", 15_000_000_000)]
    [InlineData("15000000000", 15_000_000_000)]
    [InlineData("\"1500ms\"", 1_500_000_000)]
    [InlineData("0", 0)]
    public async Task SessionCreate_LockDelay_AcceptsNumbersAndDurations(string lockDelay, long expectedNanoseconds)
    {
        var session = await InfoAsync(await CreateSessionAsync($$"""{"LockDelay":{{lockDelay}}}"""));

        Assert.Equal(expectedNanoseconds, session.GetProperty("LockDelay").GetInt64());
    }

    [Fact]
    public async Task SessionCreate_ReturnsTheTtlAsGiven()
    {
        var session = await InfoAsync(await CreateSessionAsync("""{"TTL":"1m"}"""));

        Assert.Equal("1m", session.GetProperty("TTL").GetString());
    }

    [Theory]
    [InlineData("""{"Bogus":1}""", 400, "Request decode failed: json: unknown field \"Bogus\"")]
    [InlineData("""{"Name":5}""", 400, "Request decode failed: json: cannot unmarshal number into Go struct field Session.Name of type string")]
    [InlineData("""{"LockDelay":"soon"}""", 400, "Request decode failed: time: invalid duration \"soon\"")]
    [InlineData("""{"TTL":"abc"}""", 500, "Session TTL 'abc' invalid: time: invalid duration \"abc\"")]
    [InlineData("""{"TTL":"10"}""", 500, "Session TTL '10' invalid: time: missing unit in duration \"10\"")]
    [InlineData("""{"TTL":"5s"}""", 500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"Behavior":"keep"}""", 500, "Invalid Behavior setting 'keep'")]
    [InlineData("""{"Node":"elsewhere"}""", 500, "Missing node registration")]
    [InlineData("""{"NodeChecks":["disk"]}""", 500, "Missing check 'disk' registration")]
    public async Task SessionCreate_RefusesBadBodiesWithConsulsText(string body, int expectedStatus, string expectedText)
    {
        var (status, text, _) = await SendAsync("PUT", "v1/session/create", body);

        Assert.Equal((expectedStatus, expectedText), (status, text));
    }

    [Fact]
    public async Task SessionEndpoints_AnswerMissingSessionsLikeConsul()
    {
        var (renewStatus, renewBody, _) = await SendAsync("PUT", "v1/session/renew/abc");
        var (infoStatus, infoBody, _) = await SendAsync("GET", "v1/session/info/abc");
        var (destroyStatus, destroyBody, _) = await SendAsync("PUT", "v1/session/destroy/abc");
        var (emptyStatus, emptyBody, _) = await SendAsync("PUT", "v1/session/renew/");

        Assert.Equal((404, "Session id 'abc' not found"), (renewStatus, renewBody));
        Assert.Equal((200, "[]"), (infoStatus, infoBody));
        Assert.Equal((200, "true"), (destroyStatus, destroyBody));
        Assert.Equal((400, "Missing session"), (emptyStatus, emptyBody));
    }

    [Fact]
    public async Task SessionNode_ListsTheSessionsOfTheNode()
    {
        var id = await CreateSessionAsync("""{"TTL":"15s"}""");

        var (_, mine, _) = await SendAsync("GET", "v1/session/node/dev-consul");
        var (_, other, _) = await SendAsync("GET", "v1/session/node/other");

        Assert.Contains(id, mine, StringComparison.Ordinal);
        Assert.Equal("[]", other);
    }

    private async Task<JsonElement> InfoAsync(string id)
    {
        var (status, body, _) = await SendAsync("GET", $"v1/session/info/{id}");
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        return json.RootElement[0].Clone();
    }
}
