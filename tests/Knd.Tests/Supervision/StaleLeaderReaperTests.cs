using System.Net;
using System.Text.Json;
using Knd.Configuration;
using Knd.Consul;
using Knd.DevConsul;
using Knd.Neard;
using Knd.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Supervision;

/// <summary>The reaper frees only a lock that this host's own, dead, previous knd held.</summary>
public sealed class StaleLeaderReaperTests : IAsyncLifetime
{
    private const string NodeId = "node-a";
    private DevConsulServer? _server;
    private ConsulClient? _client;
    private string _proc = null!;

    public async Task InitializeAsync()
    {
        _server = await DevConsulServer.StartAsync(new DevConsulOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, CancellationToken.None);
        _client = new ConsulClient(new ConsulClientOptions { BaseAddress = _server.BaseAddress }, ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLogger<ConsulClient>.Instance);
        _proc = Directory.CreateTempSubdirectory("knd-proc-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        Directory.Delete(_proc, recursive: true);
    }

    [Fact]
    public async Task LockHeldForThisNodeByADeadPid_IsDestroyed()
    {
        var session = await HoldLockAsync(NodeId, Environment.MachineName, pid: 424242);

        Assert.Equal(session, await Reaper().ReapAsync(CancellationToken.None));
        Assert.Null((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    [Theory]
    [InlineData("node-b", null, 424242)]
    [InlineData(NodeId, "another-host", 424242)]
    [InlineData(NodeId, null, 0)]
    public async Task LockOfAnotherNodeHostOrWriter_IsLeftAlone(string nodeId, string? host, int pid)
    {
        var session = await HoldLockAsync(nodeId, host ?? Environment.MachineName, pid);

        Assert.Null(await Reaper().ReapAsync(CancellationToken.None));
        Assert.NotNull((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task LockHeldByALivePid_IsLeftAlone()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "4242"));
        await File.WriteAllTextAsync(Path.Combine(_proc, "4242", "stat"), "4242 (knd) S 1 4242 4242 0 -1");
        var session = await HoldLockAsync(NodeId, Environment.MachineName, pid: 4242);

        Assert.Null(await Reaper().ReapAsync(CancellationToken.None));
        Assert.NotNull((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    private StaleLeaderReaper Reaper()
    {
        var options = TestOptions();
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        return new StaleLeaderReaper(options, timings, _client!, new StrayNeardReaper(NullLogger.Instance, TimeProvider.System, _proc), NullLogger.Instance, _proc);
    }

    private async Task<string> HoldLockAsync(string nodeId, string host, int pid)
    {
        var session = (await _client!.CreateSessionAsync(new SessionCreateRequest("x", TimeSpan.FromSeconds(30), TimeSpan.Zero, "release", []), CancellationToken.None)).Value!;
        var value = JsonSerializer.SerializeToUtf8Bytes(new LockValue(nodeId, host, pid, DateTimeOffset.UnixEpoch), SupervisionJsonContext.Default.LockValue);
        var acquired = await _client.AcquireAsync(TestOptions().LockKey, value, session, 0, CancellationToken.None);
        Assert.Equal(AcquireOutcome.Acquired, acquired.Value!.Outcome);
        return session;
    }

    private KndRunOptions TestOptions() => new()
    {
        NodeId = NodeId,
        AccountId = "validator.test",
        ConsulUrl = _server!.BaseAddress,
        LockKeyPrefix = "kuutamod-leader/",
        ExporterAddress = new IPEndPoint(IPAddress.Loopback, 0),
        ControlSocket = Path.Combine(_proc, "knd.sock"),
        NeardBin = "/bin/true",
        NeardHome = _proc,
        ValidatorKey = "/dev/null",
        ValidatorNodeKey = "/dev/null",
        VoterNodeKey = "/dev/null",
        ValidatorNetworkAddr = new IPEndPoint(IPAddress.Any, 24567),
        VoterNetworkAddr = new IPEndPoint(IPAddress.Any, 24568),
        PublicAddresses = [],
        Promotion = PromotionMode.HotSwap,
    };
}
