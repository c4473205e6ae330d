using System.Collections.Concurrent;
using System.Text;
using Knd.Cluster;
using Knd.Etcd;
using Knd.IntegrationTests.Infrastructure;
using static Knd.IntegrationTests.Etcd.EtcdFixture;
using Knd.Testing;

namespace Knd.IntegrationTests.Etcd;

/// <summary>
/// knd's etcd client against a real etcd (Debian's etcd-server on loopback): the lock discipline the
/// failover core relies on, as etcd itself answers it.
/// </summary>
public sealed class EtcdLockClientContractTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Acquire_FreeKey_IsTakenByTheFirstLease_AnotherLeaseSeesItHeld()
    {
        var key = NewLockKey();
        using var a = Client(fixture.Etcd, key);
        using var b = Client(fixture.Etcd, key);
        var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        var leaseB = (await b.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();

        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);
        Assert.Equal(LockAcquireOutcome.HeldByOther, (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), default)).Value);
        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);

        var read = (await b.ReadLockAsync(default)).Succeeded();
        Assert.Equal(EtcdLockPhase.Held, read.View.Phase);
        Assert.Equal(leaseA.SessionId, read.Observation.Holder);
        Assert.Equal("node-a", read.Observation.Value?.NodeId);

        // The key lives with the lease: etcd itself says so.
        var kv = (await a.GetAsync(key, default)).Present();
        Assert.True(EtcdLeaseId.TryParse(leaseA.SessionId, out var id));
        Assert.Equal(id, kv.LeaseId);
    }

    [Fact]
    public async Task Renew_KeepsTheLeasePastItsTtl_ARevokedLeaseIsSessionGone()
    {
        var key = NewLockKey();
        using var a = Client(fixture.Etcd, key);
        var lease = (await a.GrantAsync(TimeSpan.FromSeconds(2), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(lease.SessionId, Value("node-a"), default)).Value);

        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(4))
        {
            var renewed = await a.RenewAsync(lease.SessionId, default);
            Assert.True(renewed.Error is null, renewed.Error?.Message);
            Assert.True(renewed.Value >= TimeSpan.FromSeconds(2));
            await Task.Delay(TimeSpan.FromMilliseconds(400), TimeProvider.System);
        }

        Assert.Equal(EtcdLockPhase.Held, (await a.ReadLockAsync(default)).Succeeded().View.Phase);

        Assert.True((await a.RevokeAsync(lease.SessionId, default)).Value);
        var gone = await a.RenewAsync(lease.SessionId, default);
        Assert.Equal(LockServiceFailure.SessionGone, gone.Error?.Kind);
        Assert.Equal(LockAcquireOutcome.SessionGone, (await a.AcquireAsync(lease.SessionId, Value("node-a"), default)).Value);
        Assert.False((await a.RevokeAsync(lease.SessionId, default)).Value);
    }

    [Fact]
    public async Task LeaseExpiry_FreesTheKey_AndTheEmulatedLockDelayHoldsOtherLeasesOff()
    {
        var key = NewLockKey();
        var delay = TimeSpan.FromSeconds(3);
        using var a = Client(fixture.Etcd, key);
        using var b = Client(fixture.Etcd, key, delay);
        var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(2), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);
        var fencing = (await a.ConfirmAsync(leaseA.SessionId, default)).Succeeded().FencingIndex;

        // Never renewed: etcd expires the lease and deletes the key with it.
        var expired = await Eventually.UntilAsync(
            async () => (await b.ReadLockAsync(default)).Value is { View.Phase: EtcdLockPhase.Expired } read ? read : null,
            Wait,
            () => "the lock key to go with its lease");
        var sighted = TimeProvider.System.GetTimestamp();
        var free = expired.Observation;
        Assert.True(free.Exists);
        Assert.Null(free.Holder);
        Assert.True(free.ModifyIndex > fencing, $"the free key's index {free.ModifyIndex} must be above the lost holder's fencing index {fencing}");

        var leaseB = (await b.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.LockDelay, (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), default)).Value);
        await Eventually.UntilAsync(
            async () => (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), default)).Value == LockAcquireOutcome.Acquired,
            Wait,
            () => "the lock-delay to pass");
        var waited = TimeProvider.System.GetElapsedTime(sighted);
        Assert.True(waited >= delay - TimeSpan.FromMilliseconds(200), $"acquired {waited} after the expiry was seen; the lock-delay is {delay}");
    }

    [Fact]
    public async Task Release_FreesTheKeyAtOnce_WithoutLockDelay_NamingTheHandoverTarget()
    {
        var key = NewLockKey();
        using var a = Client(fixture.Etcd, key);
        using var b = Client(fixture.Etcd, key, TimeSpan.FromSeconds(30));
        var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        var leaseB = (await b.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);

        Assert.False((await b.ReleaseAsync(leaseB.SessionId, Value("node-b"), default)).Value);
        Assert.True((await a.ReleaseAsync(leaseA.SessionId, Value("node-a", handoverTo: "node-b"), default)).Value);

        var read = (await b.ReadLockAsync(default)).Succeeded();
        Assert.Equal(EtcdLockPhase.Released, read.View.Phase);
        Assert.Null(read.Observation.Holder);
        Assert.Equal("node-b", read.Observation.Value?.HandoverTo);
        Assert.Equal(LockAcquireOutcome.Acquired, (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), default)).Value);
        Assert.False((await a.ReleaseAsync(leaseA.SessionId, Value("node-a"), default)).Value);
    }

    [Fact]
    public async Task FencingIndex_IsTheLockKeysRevision_AndGrowsWithEveryAcquisition()
    {
        var key = NewLockKey();
        using var a = Client(fixture.Etcd, key);
        using var b = Client(fixture.Etcd, key);
        var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        var leaseB = (await b.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();

        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);
        var first = (await a.ConfirmAsync(leaseA.SessionId, default)).Succeeded();
        Assert.True(first.HeldByUs);
        Assert.Equal((ulong)(await a.GetAsync(key, default)).Present().ModRevision, first.FencingIndex);
        Assert.False((await b.ConfirmAsync(leaseB.SessionId, default)).Succeeded().HeldByUs);

        Assert.True((await a.ReleaseAsync(leaseA.SessionId, Value("node-a"), default)).Value);
        Assert.Equal(LockAcquireOutcome.Acquired, (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), default)).Value);
        var second = (await b.ConfirmAsync(leaseB.SessionId, default)).Succeeded();
        Assert.True(second.HeldByUs);
        Assert.True(second.FencingIndex > first.FencingIndex, $"{second.FencingIndex} after {first.FencingIndex}");
    }

    [Fact]
    public async Task Watch_StartsFromTheRevisionItRead_AChangeBetweenReadAndWatchIsNotLost()
    {
        var key = NewLockKey();
        using var a = Client(fixture.Etcd, key);
        using var b = Client(fixture.Etcd, key);
        using var watcher = Client(fixture.Etcd, key);
        var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        var leaseB = (await b.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);

        // Between the watch's read and its watch: the lock changes hands.
        var hooked = 0;
        watcher.BeforeWatchForTest = async ct =>
        {
            if (Interlocked.Exchange(ref hooked, 1) == 0)
            {
                Assert.True((await a.ReleaseAsync(leaseA.SessionId, Value("node-a"), ct)).Value);
                Assert.Equal(LockAcquireOutcome.Acquired, (await b.AcquireAsync(leaseB.SessionId, Value("node-b"), ct)).Value);
            }
        };
        var seen = new ConcurrentQueue<LockObservation>();
        using var stop = new CancellationTokenSource();
        var watch = watcher.WatchAsync(new EtcdWatchHandlers(seen.Enqueue, _ => { }, _ => { }), stop.Token);
        try
        {
            await Eventually.UntilAsync(() => seen.LastOrDefault()?.Holder == leaseB.SessionId, Wait, () => $"the watch to show {leaseB.SessionId}; saw {string.Join("; ", seen)}");
            Assert.Equal(leaseA.SessionId, seen.First().Holder);
            var indexes = seen.Select(o => o.Index).ToList();
            Assert.Equal(indexes.Order(), indexes);
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
    }

    [Fact]
    public async Task ClusterKeys_CasWrites_AndTheMemberRecordGoesWithItsLease()
    {
        var key = NewLockKey();
        var keys = new ClusterKeys(key);
        using var a = Client(fixture.Etcd, key);
        var lease = (await a.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();

        Assert.True((await a.PutAsync(keys.Pause, Encoding.UTF8.GetBytes("""{"paused":true}"""), null, default)).Value);
        Assert.True((await a.PutAsync(keys.Switchover, Encoding.UTF8.GetBytes("{}"), 0, default)).Value);
        Assert.False((await a.PutAsync(keys.Switchover, Encoding.UTF8.GetBytes("{}"), 0, default)).Value);
        var member = """{"node_id":"node-a","state":"Voting","synced":true,"healthy":true,"block_height":7}""";
        Assert.True((await a.PutMemberAsync(lease.SessionId, "node-a", Encoding.UTF8.GetBytes(member), default)).Value);

        var cluster = (await a.ReadClusterAsync(default)).Succeeded();
        Assert.True(cluster.Paused);
        var switchover = (await a.GetAsync(keys.Switchover, default)).Present();
        Assert.Equal((ulong)switchover.ModRevision, cluster.SwitchoverIndex);
        Assert.False((await a.PutAsync(keys.Switchover, Encoding.UTF8.GetBytes("{}"), switchover.ModRevision - 1, default)).Value);
        Assert.True((await a.PutAsync(keys.Switchover, Encoding.UTF8.GetBytes("{}"), switchover.ModRevision, default)).Value);
        Assert.Single(cluster.Members);

        Assert.True((await a.RevokeAsync(lease.SessionId, default)).Value);
        Assert.Empty((await a.ReadClusterAsync(default)).Succeeded().Members);
    }

    [Fact]
    public async Task UnreachableEtcd_IsAnUnreachableFailure_WithinTheRequestTimeout()
    {
        var port = NeardSimHome.FreeLoopbackPort();
        using var client = new EtcdLockClient(
            new EtcdClientOptions { Endpoints = [new Uri($"http://127.0.0.1:{port}")], RequestTimeout = TimeSpan.FromSeconds(1) },
            new ClusterKeys(NewLockKey()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var started = TimeProvider.System.GetTimestamp();

        var grant = await client.GrantAsync(TimeSpan.FromSeconds(5), default);

        Assert.Equal(LockServiceFailure.Unreachable, grant.Error?.Kind);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }
}

/// <summary>The watch across an etcd restart, on an etcd of its own.</summary>
public sealed class EtcdWatchRestartTests
{
    [Fact]
    public async Task Watch_AfterEtcdRestarts_ReportsTheOutage_ThenSeesLaterChanges()
    {
        await using var etcd = await EtcdCluster.StartAsync(1);
        var key = NewLockKey();
        using var a = Client(etcd, key);
        using var watcher = Client(etcd, key);
        var seen = new ConcurrentQueue<LockObservation>();
        var failures = new ConcurrentQueue<LockServiceError>();
        using var stop = new CancellationTokenSource();
        var watch = watcher.WatchAsync(new EtcdWatchHandlers(seen.Enqueue, _ => { }, failures.Enqueue), stop.Token);
        try
        {
            var leaseA = (await a.GrantAsync(TimeSpan.FromSeconds(30), default)).Succeeded();
            Assert.Equal(LockAcquireOutcome.Acquired, (await a.AcquireAsync(leaseA.SessionId, Value("node-a"), default)).Value);
            await Eventually.UntilAsync(() => seen.LastOrDefault()?.Holder == leaseA.SessionId, TimeSpan.FromSeconds(20), () => string.Join("; ", seen));

            await etcd.StopAsync(etcd.Members[0]);
            await Eventually.UntilAsync(() => !failures.IsEmpty, TimeSpan.FromSeconds(20), () => "the watch to report etcd gone");
            etcd.Start(etcd.Members[0]);
            await etcd.WaitHealthyAsync(TimeSpan.FromSeconds(30));

            var released = false;
            await Eventually.UntilAsync(
                async () =>
                {
                    var release = await a.ReleaseAsync(leaseA.SessionId, Value("node-a"), default);
                    released = release.Value;
                    return release.Error is null;
                },
                TimeSpan.FromSeconds(20),
                () => "the release after the restart");
            Assert.True(released);
            await Eventually.UntilAsync(() => seen.LastOrDefault() is { Exists: true, Holder: null }, TimeSpan.FromSeconds(20), () => string.Join("; ", seen));
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
    }
}
