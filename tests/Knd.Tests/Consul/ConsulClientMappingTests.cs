using System.Net;
using Knd.Consul;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Knd.Testing;

namespace Knd.Tests.Consul;

/// <summary>How the client maps answers it cannot get from a well-behaved server, and what it sends (a canned handler stands in for Consul).</summary>
public sealed class ConsulClientMappingTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public ConsulClientMappingTests()
    {
        _loggerFactory = _logs.CreateFactory();
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData(403, "Permission denied: token with AccessorID 'x' lacks permission 'key:write'", "PermissionDenied")]
    [InlineData(500, "rpc error making call: No cluster leader", "NoClusterLeader")]
    [InlineData(500, "No cluster leader", "NoClusterLeader")]
    [InlineData(500, "Not ready to serve consistent reads", "ServerError")]
    [InlineData(502, "<html>bad gateway</html>", "ServerError")]
    [InlineData(400, "Missing key name", "BadRequest")]
    [InlineData(429, "rate limit exceeded", "BadRequest")]
    public async Task ErrorStatus_MapsToTheErrorKind(int status, string body, string expected)
    {
        var (client, _) = NewClient((HttpStatusCode)status, body);

        var result = await client.PutKeyAsync("k", Array.Empty<byte>(), KvPutOptions.None, CancellationToken.None);

        Assert.Equal(Enum.Parse<ConsulErrorKind>(expected), result.Failed().Kind);
        Assert.Equal(status, result.Failed().StatusCode);
        Assert.Contains(body, result.Failed().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_SaysTheTokenWasRefused()
    {
        var (client, _) = NewClient(HttpStatusCode.Forbidden, "ACL not found");

        var result = await client.GetLeaderAsync(CancellationToken.None);

        Assert.Equal("Consul refused the ACL token (403): ACL not found", result.Failed().Message);
    }

    [Fact]
    public async Task UnparsableSuccessBodies_AreMalformedResponses()
    {
        var (client, _) = NewClient(HttpStatusCode.OK, "<not json>");
        var ct = CancellationToken.None;

        var errors = new[]
        {
            (await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), ct)).Error,
            (await client.RenewSessionAsync("s", ct)).Error,
            (await client.DestroySessionAsync("s", ct)).Error,
            (await client.GetSessionInfoAsync("s", ct)).Error,
            (await client.GetKeyAsync("k", KvQuery.Immediate, ct)).Error,
            (await client.PutKeyAsync("k", Array.Empty<byte>(), KvPutOptions.None, ct)).Error,
            (await client.AcquireAsync("k", Array.Empty<byte>(), "s", 0, ct)).Error,
            (await client.ReleaseAsync("k", Array.Empty<byte>(), "s", 0, ct)).Error,
            (await client.DeleteKeyAsync("k", null, ct)).Error,
            (await client.GetLeaderAsync(ct)).Error,
            (await client.GetAgentSelfAsync(ct)).Error,
        };

        Assert.All(errors, error => Assert.Equal(ConsulErrorKind.MalformedResponse, error?.Kind));
    }

    [Fact]
    public async Task Token_IsSentAsHeader_AndReadAgainOnEveryRequest()
    {
        var token = "first-token";
        var (client, handler) = NewClient(HttpStatusCode.OK, "\"10.0.0.1:8300\"", () => token);

        await client.GetLeaderAsync(CancellationToken.None);
        token = "second-token";
        await client.GetLeaderAsync(CancellationToken.None);
        token = null;
        await client.GetLeaderAsync(CancellationToken.None);

        Assert.Equal("first-token", handler.Sent[0].Headers["X-Consul-Token"]);
        Assert.Equal("second-token", handler.Sent[1].Headers["X-Consul-Token"]);
        Assert.False(handler.Sent[2].Headers.ContainsKey("X-Consul-Token"));
        Assert.All(handler.Sent, sent => Assert.DoesNotContain("token", sent.PathAndQuery, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientNodeId_IsSentAsXKndNode()
    {
        var (client, handler) = NewClient(HttpStatusCode.OK, "\"\"", nodeId: "validator-1");

        await client.GetLeaderAsync(CancellationToken.None);

        Assert.Equal("validator-1", handler.Sent[0].Headers["X-Knd-Node"]);
    }

    [Fact]
    public async Task TokenWithALineBreak_IsRefusedBeforeSending_WithoutShowingIt()
    {
        var (client, handler) = NewClient(HttpStatusCode.OK, "\"\"", () => "bad\ntoken-value");

        var result = await client.GetLeaderAsync(CancellationToken.None);

        Assert.Equal(ConsulErrorKind.BadRequest, result.Failed().Kind);
        Assert.DoesNotContain("token-value", result.Failed().Message, StringComparison.Ordinal);
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task ATokenEchoedByTheServer_IsRedactedFromTheMessageAndLogs()
    {
        const string Secret = "s3cr3t-echoed-token";
        var (client, _) = NewClient(HttpStatusCode.Forbidden, $"token {Secret} is not allowed", () => Secret);

        var result = await client.GetKeyAsync("k", KvQuery.Immediate, CancellationToken.None);

        Assert.Contains("[redacted]", result.Failed().Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Failed().Message, StringComparison.Ordinal);
        Assert.All(_logs.Lines, line => Assert.DoesNotContain(Secret, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionCreate_SendsGoDurations_ZeroLockDelay_AndEmptyNodeChecks()
    {
        var (client, handler) = NewClient(HttpStatusCode.OK, """{"ID":"abc"}""");

        var id = await client.CreateSessionAsync(new SessionCreateRequest("node-a", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), CancellationToken.None);

        Assert.Equal("abc", id.Value);
        var sent = handler.Sent.Single();
        Assert.Equal(("PUT", "/v1/session/create"), (sent.Method, sent.PathAndQuery));
        Assert.Equal("""{"Name":"node-a","LockDelay":"0s","Behavior":"release","TTL":"15s","NodeChecks":[]}""", sent.Body);
    }

    [Fact]
    public async Task BlockingRead_SendsIndexWaitAndConsistency()
    {
        var (client, handler) = NewClient(HttpStatusCode.NotFound, string.Empty);
        handler.Headers["X-Consul-Index"] = "42";
        handler.Headers["X-Consul-KnownLeader"] = "true";

        var read = await client.GetKeyAsync("kuutamod-leader/acc.near", new KvQuery(41, TimeSpan.FromMilliseconds(1500), ConsulConsistency.Consistent), CancellationToken.None);

        Assert.Equal("/v1/kv/kuutamod-leader/acc.near?index=41&wait=1500ms&consistent", handler.Sent.Single().PathAndQuery);
        Assert.Null(read.Succeeded().Entry);
        Assert.Equal(42UL, read.Succeeded().Index);
        Assert.True(read.Succeeded().KnownLeader);
    }

    [Fact]
    public async Task KeyWithALeadingSlash_IsRefusedWithoutARequest()
    {
        var (client, handler) = NewClient(HttpStatusCode.OK, "true");

        var result = await client.PutKeyAsync("/abs", Array.Empty<byte>(), KvPutOptions.None, CancellationToken.None);

        Assert.Equal(ConsulErrorKind.BadRequest, result.Failed().Kind);
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task CallerCancellation_Throws_InsteadOfReportingATimeout()
    {
        var (client, _) = NewClient(HttpStatusCode.OK, "\"\"");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetLeaderAsync(cancelled.Token));
    }

    [Theory]
    [InlineData(5, 2, 5UL)]
    [InlineData(5, 5, 5UL)]
    [InlineData(2, 5, 0UL)]
    [InlineData(0, 0, 0UL)]
    [InlineData(0, 5, 0UL)]
    [InlineData(ulong.MaxValue, 5, 0UL)]
    [InlineData((1UL << 53) + 1, 5, 0UL)]
    [InlineData(1UL << 53, 5, 1UL << 53)]
    public void ConsulIndex_Next_ResetsToZeroWhenTheIndexGoesBackwardsOrIsAbsurd(ulong returned, ulong previous, ulong expected)
    {
        Assert.Equal(expected, ConsulIndex.Next(previous, returned));
    }

    [Theory]
    [InlineData("timeout", true)]
    [InlineData("refused", true)]
    [InlineData("500", false)]
    public async Task Reconnected_FiresWhenConsulAnswersAfterItCouldNotBeReached_OnlyThen(string failure, bool fires)
    {
        var handler = new ScriptedHandler(failure);
        var options = new ConsulClientOptions
        {
            BaseAddress = new Uri("http://consul.invalid:8500"),
            TokenProvider = () => null,
            RequestTimeout = TimeSpan.FromMilliseconds(200),
        };
        var client = new ConsulClient(options, new HttpClient(handler), TimeProvider.System, _loggerFactory.CreateLogger<ConsulClient>());
        var before = client.Reconnected;

        var failed = await client.GetLeaderAsync(CancellationToken.None);
        Assert.False(failed.IsSuccess);
        Assert.False(before.IsCancellationRequested, "a failure alone must not restart the watches");

        var answered = await client.GetLeaderAsync(CancellationToken.None);
        Assert.True(answered.IsSuccess);
        Assert.Equal(fires, before.IsCancellationRequested);
        Assert.False(client.Reconnected.IsCancellationRequested, "the next watch must get a fresh token");

        // Answers that follow answers change nothing.
        var next = client.Reconnected;
        await client.GetLeaderAsync(CancellationToken.None);
        Assert.False(next.IsCancellationRequested);
    }

    /// <summary>The first request fails as scripted (no answer, refused, or a 500), every later one gets a leader.</summary>
    private sealed class ScriptedHandler(string firstFailure) : HttpMessageHandler
    {
        private int _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) == 1)
            {
                switch (firstFailure)
                {
                    case "timeout":
                        await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
                        break;
                    case "refused":
                        throw new HttpRequestException("Connection refused");
                    default:
                        return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("boom") };
                }
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("\"127.0.0.1:8300\"") };
            return response;
        }
    }

    private (ConsulClient Client, CannedHandler Handler) NewClient(HttpStatusCode status, string body, Func<string?>? token = null, string? nodeId = null)
    {
        var handler = new CannedHandler(status, body);
        var options = new ConsulClientOptions
        {
            BaseAddress = new Uri("http://consul.invalid:8500"),
            TokenProvider = token ?? (() => null),
            ClientNodeId = nodeId,
        };
        return (new ConsulClient(options, new HttpClient(handler), TimeProvider.System, _loggerFactory.CreateLogger<ConsulClient>()), handler);
    }
}
