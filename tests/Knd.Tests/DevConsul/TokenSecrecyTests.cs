using System.Net;
using Knd.Consul;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Knd.Testing;

namespace Knd.Tests.DevConsul;

/// <summary>The ACL token never shows in an error message or a log line, whatever goes wrong.</summary>
public sealed class TokenSecrecyTests : IDisposable
{
    private const string Secret = "knd-distinctive-token-7f3a9c1e5b";

    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Fact]
    public async Task EveryKindOfFailure_LeavesTheTokenOutOfMessagesAndLogs()
    {
        await using var dev = await DevServerHarness.StartAsync(aclToken: Secret);
        var client = dev.Client(token: Secret);
        var cutOff = dev.Client(token: Secret, nodeId: "secrecy-node", requestTimeout: TimeSpan.FromMilliseconds(300));
        var errors = new List<ConsulError>();
        void Expect<T>(ConsulResult<T> result, ConsulErrorKind kind)
        {
            Assert.Equal(kind, result.Error?.Kind);
            errors.Add(result.Failed());
        }

        var created = await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), Ct);
        Assert.True(created.IsSuccess, created.Error?.ToString());
        var session = created.Succeeded();
        Expect(await client.RenewSessionAsync(Guid.NewGuid().ToString(), Ct), ConsulErrorKind.SessionNotFound);
        Expect(await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(1), TimeSpan.Zero, "release", []), Ct), ConsulErrorKind.ServerError);
        Expect(await client.PutKeyAsync("/bad", Array.Empty<byte>(), KvPutOptions.None, Ct), ConsulErrorKind.BadRequest);
        Expect(await dev.Client(token: Secret + "-wrong").GetKeyAsync("k", KvQuery.Immediate, Ct), ConsulErrorKind.PermissionDenied);

        await dev.FaultAsync("no-leader", """{"enabled":true}""");
        Expect(await client.RenewSessionAsync(session, Ct), ConsulErrorKind.NoClusterLeader);
        await dev.FaultAsync("no-leader", """{"enabled":false}""");

        await dev.FaultAsync("blackhole", """{"node":"secrecy-node","enabled":true}""");
        Expect(await cutOff.RenewSessionAsync(session, Ct), ConsulErrorKind.Timeout);
        await dev.FaultAsync("blackhole", """{"node":"secrecy-node","enabled":false}""");

        Expect(await dev.Client(token: Secret, baseAddress: new Uri($"http://127.0.0.1:{ClosedPort()}/")).GetLeaderAsync(Ct), ConsulErrorKind.Transport);

        using (var handler = new Consul.CannedHandler(HttpStatusCode.OK, "{not json"))
        using (var loggerFactory = dev.Logs.CreateFactory())
        {
            var options = new ConsulClientOptions { BaseAddress = dev.Server.BaseAddress, TokenProvider = () => Secret };
            var canned = new ConsulClient(options, new HttpClient(handler), TimeProvider.System, loggerFactory.CreateLogger<ConsulClient>());
            Expect(await canned.GetAgentSelfAsync(Ct), ConsulErrorKind.MalformedResponse);
        }

        Assert.Equal(8, errors.Select(e => e.Kind).Distinct().Count());
        Assert.All(errors, error => Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal));
        Assert.NotEmpty(dev.Logs.Lines);
        Assert.All(dev.Logs.Lines, line => Assert.DoesNotContain(Secret, line, StringComparison.Ordinal));
    }

    /// <summary>A port nobody listens on, from below the kernel's ephemeral range so that no port-0 bind elsewhere takes it meanwhile.</summary>
    private static int ClosedPort() => Knd.Localnet.FixedPorts.Next();
}
