using System.Text;
using Knd.Consul;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Knd.Testing;

namespace Knd.Tests.Consul;

/// <summary>
/// The client's behaviour against a Consul HTTP API, shared by the in-process dev server
/// (<see cref="DevConsulContractTests"/>) and a real agent (<see cref="RealConsulAgentTests"/>),
/// so the dev server is checked against the real thing wherever a consul binary exists.
/// </summary>
public abstract partial class ConsulClientContractTests : IDisposable
{
    protected static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);
    protected static readonly TimeSpan DefaultLockDelay = TimeSpan.FromSeconds(15);

    private readonly List<IDisposable> _owned = [];
    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(60));

    protected CapturingLoggerProvider Logs { get; } = new();

    protected CancellationToken Ct => _deadline.Token;

    private protected abstract ConsulTestFixture Fixture { get; }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _deadline.Dispose();
        Logs.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A client with the fixture's token, or <paramref name="token"/> ("" for none).</summary>
    private protected ConsulClient NewClient(string? token = null, Action<string, string>? observer = null, TimeSpan? requestTimeout = null)
    {
        var http = ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(2));
        var factory = Logs.CreateFactory();
        _owned.Add(http);
        _owned.Add(factory);
        var effective = token ?? Fixture.Token;
        var options = new ConsulClientOptions
        {
            BaseAddress = Fixture.BaseAddress,
            TokenProvider = () => effective,
            RequestObserver = observer,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
        };
        return new ConsulClient(options, http, TimeProvider.System, factory.CreateLogger<ConsulClient>());
    }

    private protected static string NewKey(string name) => $"knd-test/{Guid.NewGuid():N}/{name}";

    private protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private protected static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private protected async Task<string> NewSessionAsync(ConsulClient client, TimeSpan? lockDelay = null, string behavior = "release", string name = "knd-test")
    {
        var created = await client.CreateSessionAsync(new SessionCreateRequest(name, Ttl, lockDelay ?? DefaultLockDelay, behavior, []), Ct);
        Assert.True(created.IsSuccess, created.Error?.ToString());
        return created.Succeeded();
    }

    private protected static T Ok<T>(ConsulResult<T> result)
    {
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Succeeded();
    }

    private protected static ConsulError Failed<T>(ConsulResult<T> result, ConsulErrorKind kind)
    {
        Assert.False(result.IsSuccess, $"expected {kind}, got success");
        Assert.Equal(kind, result.Failed().Kind);
        return result.Error;
    }

    [ContractFact]
    public async Task CreateSession_ThenInfo_ReturnsTheSessionAsCreated()
    {
        var client = NewClient();
        var self = Ok(await client.GetAgentSelfAsync(Ct));

        var id = await NewSessionAsync(client, name: "node-a");
        var info = Ok(await client.GetSessionInfoAsync(id, Ct));

        Assert.NotNull(info);
        Assert.Equal(id, info.Id);
        Assert.Equal("node-a", info.Name);
        Assert.Equal(self.NodeName, info.Node);
        Assert.Equal("15s", info.Ttl);
        Assert.Equal(DefaultLockDelay, info.LockDelay);
        Assert.Equal("release", info.Behavior);
        Assert.Empty(info.NodeChecks);
        Assert.True(info.CreateIndex > 0);
    }

    [ContractFact]
    public async Task CreateSession_SubSecondLockDelay_IsSentInMilliseconds()
    {
        var client = NewClient();
        var id = await NewSessionAsync(client, lockDelay: TimeSpan.FromMilliseconds(1500));

        var info = Ok(await client.GetSessionInfoAsync(id, Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), info!.LockDelay);
    }

    [ContractFact]
    public async Task CreateSession_ZeroLockDelay_IsZeroNotTheServerDefault()
    {
        var client = NewClient();
        var id = await NewSessionAsync(client, lockDelay: TimeSpan.Zero);

        var info = Ok(await client.GetSessionInfoAsync(id, Ct));

        Assert.Equal(TimeSpan.Zero, info!.LockDelay);
    }

    [ContractFact]
    public async Task CreateSession_TtlBelowMinimum_IsServerErrorNamingNanoseconds()
    {
        var result = await NewClient().CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(3), DefaultLockDelay, "release", []), Ct);

        var error = Failed(result, ConsulErrorKind.ServerError);
        Assert.Equal(500, error.StatusCode);
        Assert.Contains("Invalid Session TTL '3000000000', must be between [10s=24h0m0s]", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task CreateSession_TtlAboveMaximum_IsServerError()
    {
        var result = await NewClient().CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromHours(25), DefaultLockDelay, "release", []), Ct);

        var error = Failed(result, ConsulErrorKind.ServerError);
        Assert.Contains("Invalid Session TTL '90000000000000'", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task CreateSession_InvalidBehavior_IsServerError()
    {
        var result = await NewClient().CreateSessionAsync(new SessionCreateRequest("n", Ttl, DefaultLockDelay, "explode", []), Ct);

        Assert.Contains("Invalid Behavior setting 'explode'", Failed(result, ConsulErrorKind.ServerError).Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task CreateSession_UnknownCheck_IsServerError()
    {
        var result = await NewClient().CreateSessionAsync(new SessionCreateRequest("n", Ttl, DefaultLockDelay, "release", ["no-such-check"]), Ct);

        Assert.Contains("Missing check 'no-such-check' registration", Failed(result, ConsulErrorKind.ServerError).Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task CreateSession_UnknownNode_IsServerError()
    {
        var result = await NewClient().CreateSessionAsync(new SessionCreateRequest("n", Ttl, DefaultLockDelay, "release", [], Node: "no-such-node"), Ct);

        Assert.Contains("Missing node registration", Failed(result, ConsulErrorKind.ServerError).Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task RenewSession_Existing_ReturnsTheSession()
    {
        var client = NewClient();
        var id = await NewSessionAsync(client);

        var renewed = Ok(await client.RenewSessionAsync(id, Ct));

        Assert.Equal(id, renewed.Id);
        Assert.Equal("15s", renewed.Ttl);
    }

    [ContractFact]
    public async Task RenewSession_Missing_ReturnsSessionNotFound()
    {
        var missing = Guid.NewGuid().ToString();

        var error = Failed(await NewClient().RenewSessionAsync(missing, Ct), ConsulErrorKind.SessionNotFound);

        Assert.Equal(404, error.StatusCode);
        Assert.Contains($"Session id '{missing}' not found", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task DestroySession_IsIdempotent()
    {
        var client = NewClient();
        var id = await NewSessionAsync(client);

        Assert.True(Ok(await client.DestroySessionAsync(id, Ct)));
        Assert.True(Ok(await client.DestroySessionAsync(id, Ct)));
        Assert.True(Ok(await client.DestroySessionAsync(Guid.NewGuid().ToString(), Ct)));
        Assert.Null(Ok(await client.GetSessionInfoAsync(id, Ct)));
    }

    [ContractFact]
    public async Task GetSessionInfo_Missing_ReturnsNull()
    {
        Assert.Null(Ok(await NewClient().GetSessionInfoAsync(Guid.NewGuid().ToString(), Ct)));
    }

    [ContractFact]
    public async Task GetLeader_ReturnsAnAddress()
    {
        Assert.NotEqual(string.Empty, Ok(await NewClient().GetLeaderAsync(Ct)));
    }

    [ContractFact]
    public async Task GetAgentSelf_ReturnsNodeNameAndDatacenter()
    {
        var self = Ok(await NewClient().GetAgentSelfAsync(Ct));

        Assert.NotEqual(string.Empty, self.NodeName);
        Assert.NotEqual(string.Empty, self.Datacenter);
    }
}
