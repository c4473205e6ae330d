using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.DevConsul;

/// <summary><c>/_dev/spoil</c>: answers damaged in flight, for the requests a rule selects, after the request took effect.</summary>
public sealed class DevConsulSpoilTests : IDisposable
{
    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Theory]
    [InlineData("null-entries", "[null]")]
    [InlineData("wrong-shape", """{"unexpected":"an object where an array belongs"}""")]
    [InlineData("missing-fields", "[{}]")]
    public async Task BodyModes_ReplaceAKvAnswerWithValidJsonOfTheWrongKind(string mode, string expected)
    {
        await using var dev = await DevServerHarness.StartAsync();
        await dev.Http.PutAsync(new Uri("v1/kv/k", UriKind.Relative), new StringContent("v"), Ct);
        await SpoilAsync(dev, $$"""{"mode":"{{mode}}","op":"kv_get"}""");

        using var response = await dev.Http.GetAsync(new Uri("v1/kv/k", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync(Ct));
        Assert.True(response.Headers.Contains("X-Consul-Index"));
    }

    [Fact]
    public async Task WrongTypes_GivesEveryFieldAnotherJsonType()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await dev.Http.PutAsync(new Uri("v1/kv/k", UriKind.Relative), new StringContent("v"), Ct);
        await SpoilAsync(dev, """{"mode":"wrong-types"}""");

        var entry = JsonNode.Parse(await dev.Http.GetStringAsync(new Uri("v1/kv/k", UriKind.Relative), Ct))!.AsArray()[0]!.AsObject();

        Assert.Equal(7, entry["Key"]!.GetValue<int>());
        Assert.Equal("7", entry["ModifyIndex"]!.GetValue<string>());
        Assert.Equal("7", entry["LockIndex"]!.GetValue<string>());
    }

    [Fact]
    public async Task GarbageAndTruncated_AreNotJson()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var body = await dev.Http.GetByteArrayAsync(new Uri("v1/agent/self", UriKind.Relative), Ct);
        await SpoilAsync(dev, """{"modes":["garbage","truncated"],"op":"agent_self"}""");

        var garbage = await dev.Http.GetByteArrayAsync(new Uri("v1/agent/self", UriKind.Relative), Ct);
        var truncated = await dev.Http.GetByteArrayAsync(new Uri("v1/agent/self", UriKind.Relative), Ct);

        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(garbage));
        Assert.Equal(body[..(body.Length / 2)], truncated);
    }

    [Theory]
    [InlineData("index-missing", null)]
    [InlineData("index-garbage", "not-a-number")]
    [InlineData("index-huge", "18446744073709551615")]
    [InlineData("index-zero", "0")]
    [InlineData("index-backwards", "1")]
    public async Task IndexModes_ChangeOnlyTheIndexHeader(string mode, string? expected)
    {
        await using var dev = await DevServerHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await dev.Http.PutAsync(new Uri("v1/kv/k", UriKind.Relative), new StringContent($"v{i}"), Ct);
        }

        await SpoilAsync(dev, $$"""{"mode":"{{mode}}"}""");

        using var response = await dev.Http.GetAsync(new Uri("v1/kv/k", UriKind.Relative), Ct);

        Assert.Equal(expected, response.Headers.TryGetValues("X-Consul-Index", out var values) ? string.Join(",", values) : null);
        Assert.Equal("k", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))![0]!["Key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reset_AbortsTheConnection_AfterTheRequestTookEffect()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"reset","op":"session_create","count":1}""");

        await Assert.ThrowsAsync<HttpRequestException>(() => dev.Http.PutAsync(new Uri("v1/session/create", UriKind.Relative), new StringContent("""{"Name":"orphan"}"""), Ct));

        var sessions = JsonNode.Parse(await dev.Http.GetStringAsync(new Uri("v1/session/list", UriKind.Relative), Ct))!.AsArray();
        Assert.Equal("orphan", Assert.Single(sessions)!["Name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stall_SendsTheHeadersAndThenNothing()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"stall","op":"status_leader"}""");

        using var response = await dev.Http.GetAsync(new Uri("v1/status/leader", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, Ct);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromMilliseconds(300));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => response.Content.ReadAsByteArrayAsync(patience.Token));
    }

    [Fact]
    public async Task Drip_SendsTheWholeBodyOneByteAtATime()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"drip","op":"status_leader","dripMs":20}""");
        var started = TimeProvider.System.GetTimestamp();

        var body = await dev.Http.GetStringAsync(new Uri("v1/status/leader", UriKind.Relative), Ct);

        Assert.Equal("\"127.0.0.1:8300\"", body);
        // .NET's timers run on the coarse monotonic clock (4 ms ticks on Linux), so a 20 ms delay can end
        // up to a tick early: 15 ms per gap still tells a drip from a body sent at once.
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(15 * (body.Length - 1)), $"{body.Length} bytes in {elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Selection_ByOperationNodeCountAndEveryNth_ModesInTurn()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"modes":["null-entries","wrong-shape"],"op":"status_leader","node":"node-a","every":2,"count":2}""");

        var other = await LeaderBodyAsync(dev, "node-b");
        var bodies = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            bodies.Add(await LeaderBodyAsync(dev, "node-a"));
        }

        var fine = "\"127.0.0.1:8300\"";
        Assert.Equal(fine, other);
        Assert.Equal([fine, "null", fine, """["unexpected","an array"]""", fine, fine], bodies);
        Assert.Empty((await StateAsync(dev))["spoilRules"]!.AsArray());
        Assert.Equal(2, (await StateAsync(dev))["spoiledTotal"]!.GetValue<long>());
    }

    [Fact]
    public async Task PathPrefix_AndClear()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"garbage","pathPrefix":"/v1/agent/"}""");

        var leader = await dev.Http.GetStringAsync(new Uri("v1/status/leader", UriKind.Relative), Ct);
        var spoiled = await dev.Http.GetByteArrayAsync(new Uri("v1/agent/self", UriKind.Relative), Ct);
        var rule = Assert.Single((await StateAsync(dev))["spoilRules"]!.AsArray())!;
        await SpoilAsync(dev, """{"clear":true}""");
        var healed = await dev.Http.GetStringAsync(new Uri("v1/agent/self", UriKind.Relative), Ct);

        Assert.Equal("\"127.0.0.1:8300\"", leader);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(spoiled));
        Assert.Equal("garbage", rule["modes"]![0]!.GetValue<string>());
        Assert.NotNull(JsonNode.Parse(healed)!["Config"]);
    }

    [Fact]
    public async Task AllModesInTurn_CyclesThroughEveryMode()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"modes":["all"],"op":"kv_put"}""");

        var rule = Assert.Single((await StateAsync(dev))["spoilRules"]!.AsArray())!;

        Assert.Equal(14, rule["modes"]!.AsArray().Count);
    }

    [Fact]
    public async Task None_PassesTheAnswer_AndCountsTheRequests()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"none","op":"status_leader"}""");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("\"127.0.0.1:8300\"", await dev.Http.GetStringAsync(new Uri("v1/status/leader", UriKind.Relative), Ct));
        }

        var rule = Assert.Single((await StateAsync(dev))["spoilRules"]!.AsArray())!;
        Assert.Equal(3, rule["matched"]!.GetValue<int>());
        Assert.Equal(0, (await StateAsync(dev))["spoiledTotal"]!.GetValue<long>());
    }

    [Fact]
    public async Task DevEndpoints_AreNeverSpoiled()
    {
        await using var dev = await DevServerHarness.StartAsync();
        await SpoilAsync(dev, """{"mode":"garbage"}""");

        Assert.NotNull((await StateAsync(dev))["raftIndex"]);
    }

    [Theory]
    [InlineData("""{"mode":"confetti"}""", "unknown mode 'confetti'")]
    [InlineData("""{}""", "needs \"mode\"")]
    [InlineData("""{"mode":"reset","every":0}""", "must be positive")]
    public async Task ABadRule_IsA400NamingTheProblem(string body, string expected)
    {
        await using var dev = await DevServerHarness.StartAsync();

        using var response = await dev.Http.PutAsync(new Uri("_dev/spoil", UriKind.Relative), new StringContent(body, Encoding.UTF8), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/kv/a/b", "", "kv_get")]
    [InlineData("GET", "/v1/kv/a", "?recurse", "kv_list")]
    [InlineData("PUT", "/v1/kv/a", "?acquire=s", "kv_acquire")]
    [InlineData("PUT", "/v1/kv/a", "?release=s", "kv_release")]
    [InlineData("PUT", "/v1/kv/a", "?cas=0", "kv_put")]
    [InlineData("DELETE", "/v1/kv/a", "", "kv_delete")]
    [InlineData("PUT", "/v1/session/renew/x", "", "session_renew")]
    [InlineData("GET", "/v1/session/node/n", "", "session_node")]
    [InlineData("GET", "/v1/agent/self", "", "agent_self")]
    [InlineData("GET", "/v1/catalog/nodes", "", "other")]
    public void Operation_NamesTheRequestLikeTheClient(string method, string path, string query, string expected)
    {
        var parsed = new Microsoft.AspNetCore.Http.QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));

        Assert.Equal(expected, Knd.DevConsul.AnswerSpoiler.Operation(method, path, parsed));
    }

    private async Task<string> LeaderBodyAsync(DevServerHarness dev, string node)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("v1/status/leader", UriKind.Relative));
        request.Headers.Add("X-Knd-Node", node);
        using var response = await dev.Http.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<JsonObject> StateAsync(DevServerHarness dev) =>
        JsonNode.Parse(await dev.Http.GetStringAsync(new Uri("_dev/state", UriKind.Relative), Ct))!.AsObject();

    private static Task SpoilAsync(DevServerHarness dev, string rule) => dev.FaultAsync("spoil", rule);
}
