using System.Net;
using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.DevConsul;
using Knd.Neard;
using Knd.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Knd.Testing;

namespace Knd.Tests.Supervision;

/// <summary>The reaper frees only a lock that this host's own, dead, previous knd held.</summary>
public sealed class StaleLeaderReaperTests : IAsyncLifetime
{
    private const string NodeId = "node-a";
    private const string BootId = "6e450bb4-008e-49a5-9cdf-cb2887b48256";
    private const string PidNamespace = "pid:[4026531836]";
    private DevConsulServer? _server;
    private ConsulClient? _client;
    private string _proc = null!;

    public async Task InitializeAsync()
    {
        _server = await DevConsulServer.StartAsync(new DevConsulOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, CancellationToken.None);
        _client = new ConsulClient(new ConsulClientOptions { BaseAddress = _server.BaseAddress }, ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLogger<ConsulClient>.Instance);
        _proc = Directory.CreateTempSubdirectory("knd-proc-").FullName;

        // This knd's identity, as the fake /proc shows it.
        Directory.CreateDirectory(Path.Combine(_proc, "sys", "kernel", "random"));
        await File.WriteAllTextAsync(Path.Combine(_proc, "sys", "kernel", "random", "boot_id"), BootId + "\n");
        Directory.CreateDirectory(Path.Combine(_proc, "self", "ns"));
        File.CreateSymbolicLink(Path.Combine(_proc, "self", "ns", "pid"), PidNamespace);
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        Directory.Delete(_proc, recursive: true);
    }

    [Fact]
    public async Task LockHeldForThisNodeByADeadPid_InThisBootAndPidNamespace_IsDestroyed()
    {
        var session = await HoldLockAsync(NodeId, Environment.MachineName, pid: 424242);

        Assert.Equal(session, await Reaper().ReapAsync(CancellationToken.None));
        Assert.Null((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    [Theory]
    [InlineData(BootId, "pid:[4026532999]")]
    [InlineData("00000000-1111-2222-3333-444444444444", PidNamespace)]
    [InlineData(null, PidNamespace)]
    [InlineData(BootId, null)]
    [InlineData(null, null)]
    public async Task SameHostNameAndNodeId_OtherOrUnknownBootOrPidNamespace_IsLeftAlone(string? bootId, string? pidNamespace)
    {
        // Another container with the same host name and node id (or an older knd, or kuutamod): its
        // pid 424242 may be alive there though this /proc has none.
        var session = await HoldLockAsync(NodeId, Environment.MachineName, pid: 424242, bootId, pidNamespace);

        Assert.Null(await Reaper().ReapAsync(CancellationToken.None));
        Assert.NotNull((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task OwnIdentityUnreadable_LeavesEvenAMatchingLockAlone()
    {
        var session = await HoldLockAsync(NodeId, Environment.MachineName, pid: 424242);
        Directory.Delete(Path.Combine(_proc, "sys"), recursive: true);

        Assert.Null(await Reaper().ReapAsync(CancellationToken.None));
        Assert.NotNull((await _client!.GetSessionInfoAsync(session, CancellationToken.None)).Value);
    }

    [Fact]
    public void ProcessIdentity_OfThisProcess_ReadsTheRealBootIdAndPidNamespace()
    {
        var identity = ProcessIdentity.Read("/proc");

        Assert.Matches("^[0-9a-f-]{36}$", identity.BootId);
        Assert.Matches(@"^pid:\[\d+\]$", identity.PidNamespace);
        Assert.Matches("^[0-9a-f]{32}$", identity.InstanceId);
        Assert.NotEqual(identity.InstanceId, ProcessIdentity.Read("/proc").InstanceId);
    }

    [Fact]
    public void LockValue_WithoutTheNewFields_StillParses_AndTheNewFieldsArePascalCase()
    {
        var kuutamod = JsonSerializer.Deserialize("""{"NodeId":"node-a","Hostname":"h","Pid":0,"Since":"2026-01-01T00:00:00Z"}"""u8, LockValueJsonContext.Default.LockValue)!;
        var stamped = ProcessIdentity.Read(_proc).Stamp(new LockValue("node-a", "h", 7, DateTimeOffset.UnixEpoch));
        var json = JsonSerializer.Serialize(stamped, LockValueJsonContext.Default.LockValue);

        Assert.Null(kuutamod.BootId);
        Assert.Null(kuutamod.PidNamespace);
        Assert.Null(kuutamod.InstanceId);
        Assert.Contains($"\"BootId\":\"{BootId}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"PidNamespace\":\"pid:[4026531836]\"", json, StringComparison.Ordinal);
        Assert.Contains("\"InstanceId\":\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("HandoverTo", json, StringComparison.Ordinal);
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

    private Task<string> HoldLockAsync(string nodeId, string host, int pid) => HoldLockAsync(nodeId, host, pid, BootId, PidNamespace);

    private async Task<string> HoldLockAsync(string nodeId, string host, int pid, string? bootId, string? pidNamespace)
    {
        var session = (await _client!.CreateSessionAsync(new SessionCreateRequest("x", TimeSpan.FromSeconds(30), TimeSpan.Zero, "release", []), CancellationToken.None)).Succeeded();
        var lockValue = new LockValue(nodeId, host, pid, DateTimeOffset.UnixEpoch) { BootId = bootId, PidNamespace = pidNamespace, InstanceId = "0123" };
        var value = JsonSerializer.SerializeToUtf8Bytes(lockValue, LockValueJsonContext.Default.LockValue);
        var acquired = await _client.AcquireAsync(TestOptions().LockKey, value, session, 0, CancellationToken.None);
        Assert.Equal(AcquireOutcome.Acquired, acquired.Succeeded().Outcome);
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
