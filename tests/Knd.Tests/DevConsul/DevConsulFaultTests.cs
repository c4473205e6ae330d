using System.Text;
using Knd.Consul;
using Knd.Tests.Infrastructure;
using Knd.Testing;

namespace Knd.Tests.DevConsul;

/// <summary>The injected faults as the client sees them: no leader, black hole, latency, closed port, index regression.</summary>
public sealed class DevConsulFaultTests : IDisposable
{
    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Fact]
    public async Task NoLeader_WritesAndDefaultReadsFail_StaleReadsWork_LeaderIsEmpty()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var client = dev.Client();
        var session = (await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), Ct)).Succeeded();
        await client.AcquireAsync("k", Encoding.UTF8.GetBytes("v"), session, 0, Ct);

        await dev.FaultAsync("no-leader", """{"enabled":true}""");

        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.RenewSessionAsync(session, Ct)).Failed().Kind);
        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.PutKeyAsync("k2", Array.Empty<byte>(), KvPutOptions.None, Ct)).Failed().Kind);
        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.AcquireAsync("k", Array.Empty<byte>(), session, 0, Ct)).Failed().Kind);
        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.GetKeyAsync("k", KvQuery.Immediate, Ct)).Failed().Kind);
        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.GetKeyAsync("k", KvQuery.ConsistentRead, Ct)).Failed().Kind);
        var stale = (await client.GetKeyAsync("k", new KvQuery(Consistency: ConsulConsistency.Stale), Ct)).Succeeded();
        Assert.Equal(session, stale.Entry!.Session);
        Assert.False(stale.KnownLeader);
        Assert.Equal(string.Empty, (await client.GetLeaderAsync(Ct)).Value);
        Assert.True((await client.GetAgentSelfAsync(Ct)).IsSuccess);

        await dev.FaultAsync("no-leader", """{"enabled":false}""");
        Assert.True((await client.RenewSessionAsync(session, Ct)).IsSuccess);
        Assert.NotEqual(string.Empty, (await client.GetLeaderAsync(Ct)).Value);
    }

    [Fact]
    public async Task NoLeader_WithAHold_FailsOnlyAfterTheHold()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var client = dev.Client();
        await dev.FaultAsync("no-leader", """{"enabled":true,"holdMs":300}""");
        var started = TimeProvider.System.GetTimestamp();

        var result = await client.PutKeyAsync("k", Array.Empty<byte>(), KvPutOptions.None, Ct);

        Assert.Equal(ConsulErrorKind.NoClusterLeader, result.Failed().Kind);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(280));
    }

    [Fact]
    public async Task Blackhole_TimesOutOnlyTheNamedNode()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var cutOff = dev.Client(nodeId: "node-a", requestTimeout: TimeSpan.FromMilliseconds(300));
        var other = dev.Client(nodeId: "node-b");
        var cutOffPatient = dev.Client(nodeId: "node-a");

        await dev.FaultAsync("blackhole", """{"node":"node-a","enabled":true}""");
        var timedOut = await cutOff.GetLeaderAsync(Ct);
        var answered = await other.GetLeaderAsync(Ct);
        await dev.FaultAsync("blackhole", """{"node":"node-a","enabled":false}""");
        var healed = await cutOffPatient.GetLeaderAsync(Ct);

        Assert.Equal(ConsulErrorKind.Timeout, timedOut.Failed().Kind);
        Assert.True(answered.IsSuccess);
        Assert.True(healed.IsSuccess);
    }

    [Fact]
    public async Task Latency_BeyondTheRequestTimeout_IsATimeout()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var impatient = dev.Client(requestTimeout: TimeSpan.FromMilliseconds(200));
        var patient = dev.Client(requestTimeout: TimeSpan.FromSeconds(10));

        await dev.FaultAsync("latency", """{"ms":1000}""");
        var slow = await impatient.GetLeaderAsync(Ct);
        await dev.FaultAsync("latency", """{"ms":0}""");
        var fast = await patient.GetLeaderAsync(Ct);

        Assert.Equal(ConsulErrorKind.Timeout, slow.Failed().Kind);
        Assert.True(fast.IsSuccess);
    }

    [Fact]
    public async Task ClosedPort_IsATransportError()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var client = dev.Client(baseAddress: new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var result = await client.GetLeaderAsync(Ct);

        Assert.Equal(ConsulErrorKind.Transport, result.Failed().Kind);
    }

    [Fact]
    public async Task IndexRegression_WakesABlockedRead_WhichFailsAsGoneBackwards_AndARereadFromZeroSeesTheLowerIndex()
    {
        await using var dev = await DevServerHarness.StartAsync();
        var client = dev.Client();
        for (var i = 0; i < 5; i++)
        {
            await client.PutKeyAsync("k", Encoding.UTF8.GetBytes($"v{i}"), KvPutOptions.None, Ct);
        }

        var index = (await client.GetKeyAsync("k", KvQuery.Immediate, Ct)).Succeeded().Index;
        var blocked = client.GetKeyAsync("k", new KvQuery(index, TimeSpan.FromSeconds(20)), Ct);
        await Deadline.WaitUntilAsync(() => dev.Server.Store.WatchCount > 0, TimeSpan.FromSeconds(10), "the blocking read to register");
        await dev.FaultAsync("index-regression", """{"index":2}""");
        var result = await blocked;
        var reread = await client.GetKeyAsync("k", new KvQuery(ConsulIndex.Next(index, 2)), Ct);

        Assert.Equal(ConsulErrorKind.MalformedResponse, result.Error?.Kind);
        Assert.Contains("went backwards", result.Failed().Message, StringComparison.Ordinal);
        Assert.Equal(2UL, reread.Succeeded().Index);
    }

    /// <summary>A port nobody listens on, from below the kernel's ephemeral range so that no port-0 bind elsewhere takes it meanwhile.</summary>
    private static int ClosedPort() => Knd.Localnet.FixedPorts.Next();
}
