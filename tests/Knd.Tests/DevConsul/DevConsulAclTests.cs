namespace Knd.Tests.DevConsul;

/// <summary>The ACL token check of knd dev-consul, at the HTTP level.</summary>
public sealed class DevConsulAclTests : IAsyncLifetime
{
    private const string Token = "acl-test-token";

    private DevServerHarness _dev = null!;

    public async Task InitializeAsync() => _dev = await DevServerHarness.StartAsync(aclToken: Token);

    public async Task DisposeAsync() => await _dev.DisposeAsync();

    [Fact]
    public async Task StatusLeader_NeedsNoToken()
    {
        var (status, body, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", "v1/status/leader");

        Assert.Equal((200, "\"127.0.0.1:8300\""), (status, body));
    }

    [Theory]
    [InlineData("v1/kv/k")]
    [InlineData("v1/session/list")]
    [InlineData("v1/agent/self")]
    public async Task ProtectedEndpoints_WithoutAToken_Are403PermissionDenied(string path)
    {
        var (status, body, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", path);

        Assert.Equal((403, "Permission denied"), (status, body));
    }

    [Fact]
    public async Task AnUnknownToken_Is403AclNotFound()
    {
        var (status, body, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", "v1/kv/k", configure: r => r.Headers.Add("X-Consul-Token", "other"));

        Assert.Equal((403, "ACL not found"), (status, body));
    }

    [Fact]
    public async Task TheToken_IsAcceptedFromQueryHeaderOrBearer()
    {
        var (query, _, headers) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", $"v1/kv/k?token={Token}");
        var (header, _, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", "v1/kv/k", configure: r => r.Headers.Add("X-Consul-Token", Token));
        var (bearer, _, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", "v1/kv/k", configure: r => r.Headers.Add("Authorization", "Bearer " + Token));

        Assert.Equal((404, 404, 404), (query, header, bearer));
        Assert.Equal("deny", headers["X-Consul-Default-ACL-Policy"]);
    }

    [Fact]
    public async Task FaultEndpoints_NeedNoToken()
    {
        await _dev.FaultAsync("leader-change");

        var (status, _, _) = await DevConsulHttpTests.SendAsync(_dev.Http, "GET", "_dev/state");

        Assert.Equal(200, status);
        Assert.DoesNotContain(_dev.Logs.Lines, line => line.Contains(Token, StringComparison.Ordinal));
    }
}
