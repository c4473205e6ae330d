using Knd.Cluster;
using Knd.Etcd;
using Knd.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Etcd;

/// <summary>One real single-member etcd for the client contract tests (each test uses its own lock key).</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdCluster Etcd { get; private set; } = null!;

    public async Task InitializeAsync() => Etcd = await EtcdCluster.StartAsync(1);

    public async Task DisposeAsync() => await Etcd.DisposeAsync();

    internal static EtcdLockClient Client(EtcdCluster etcd, string lockKey, TimeSpan? lockDelay = null) =>
        new(
            new EtcdClientOptions
            {
                Endpoints = [.. etcd.Members.Select(m => new Uri(m.ClientUrl))],
                LockDelay = lockDelay ?? TimeSpan.Zero,
                RequestTimeout = TimeSpan.FromSeconds(2),
            },
            new ClusterKeys(lockKey),
            NullLogger.Instance);

    internal static string NewLockKey() => "kuutamod-leader/contract-" + Guid.NewGuid().ToString("n")[..8];

    internal static byte[] Value(string nodeId, string? handoverTo = null) =>
        new LockValue(nodeId, "host-" + nodeId, 4242, DateTimeOffset.UnixEpoch, handoverTo).ToJson();
}
