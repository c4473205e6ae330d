using System.Collections.Concurrent;
using System.Net;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Supervision;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Knd.Tests.Supervision;

/// <summary>A <see cref="ConsulDriver"/> on a fake clock and a scripted Consul client, recording what it posts and logs.</summary>
internal sealed class DriverHarness : IDisposable
{
    public const string NodeId = "node-a";
    public const string LockKey = "kuutamod-leader/validator.near";

    private readonly ILoggerFactory _loggerFactory;

    public DriverHarness()
    {
        _loggerFactory = Logs.CreateFactory();
        Timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        Clock = new MonotonicClock(Time);
        Cluster = new ClusterState(new ClusterKeys(LockKey));
        Driver = new ConsulDriver(Options(), Timings, Consul, Cluster, Clock, Events.Enqueue, _loggerFactory.CreateLogger<ConsulDriver>());
    }

    public FakeTimeProvider Time { get; } = new();

    public MonotonicClock Clock { get; }

    public FailoverTimings Timings { get; }

    public FakeConsulClient Consul { get; } = new();

    public ClusterState Cluster { get; }

    public ConsulDriver Driver { get; }

    public ConcurrentQueue<SupervisorEvent> Events { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public IReadOnlyList<string> LinesWith(string text) => Logs.Lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Lets the fake clock run, in small steps with a real yield between them, until
    /// <paramref name="condition"/> holds; fails after 10 real seconds or <paramref name="maxFakeTime"/>.
    /// </summary>
    public async Task RunUntilAsync(Func<bool> condition, string what, TimeSpan? maxFakeTime = null, TimeSpan? step = null)
    {
        var limit = maxFakeTime ?? TimeSpan.FromMinutes(2);
        var started = Clock.Now;
        var realStart = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (Clock.Now - started > limit || TimeProvider.System.GetElapsedTime(realStart) > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"timed out waiting for {what} (fake time {(Clock.Now - started).TotalSeconds:0.##} s); calls: {string.Join(", ", Consul.Calls)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, CancellationToken.None);
            Time.Advance(step ?? TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Waits (in real time, the fake clock standing still) until <paramref name="condition"/> holds.</summary>
    public static Task SettleAsync(Func<bool> condition, string what) => Deadline.WaitUntilAsync(condition, TimeSpan.FromSeconds(10), what);

    public static KvGetResult Held(string session, ulong modifyIndex, ulong index) =>
        new(new KvEntry(LockKey, "{}"u8.ToArray(), 0, 1, session, 1, modifyIndex), index, true);

    public static KvGetResult Missing(ulong index) => new(null, index, true);

    public static SessionEntry Session(string id, ulong createIndex, string name = NodeId, string node = "consul-node") =>
        new(id, name, node, TimeSpan.FromSeconds(5), "release", "10s", [], createIndex, createIndex);

    public void Dispose()
    {
        _loggerFactory.Dispose();
        Logs.Dispose();
    }

    /// <summary>Run options for a node <see cref="NodeId"/> whose paths are never touched (drivers and coordinators on fakes).</summary>
    internal static KndRunOptions Options() => new()
    {
        NodeId = NodeId,
        AccountId = "validator.near",
        ConsulUrl = new Uri("http://consul.invalid:8500"),
        LockKeyPrefix = "kuutamod-leader/",
        ExporterAddress = new IPEndPoint(IPAddress.Loopback, 0),
        ControlSocket = "/nonexistent/knd.sock",
        NeardBin = "/bin/true",
        NeardHome = "/nonexistent",
        ValidatorKey = "/dev/null",
        ValidatorNodeKey = "/dev/null",
        VoterNodeKey = "/dev/null",
        ValidatorNetworkAddr = new IPEndPoint(IPAddress.Any, 24567),
        VoterNetworkAddr = new IPEndPoint(IPAddress.Any, 24568),
        PublicAddresses = [],
        Promotion = PromotionMode.HotSwap,
    };
}
