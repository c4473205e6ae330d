using System.Text;
using Knd.Consul;
using Knd.Tests.Infrastructure;
using Knd.Testing;

namespace Knd.Tests.DevConsul;

/// <summary>Session TTL, lock-delay and leader-change timing on a virtual clock (dev server only: a real agent has no fake clock).</summary>
public sealed class DevConsulTtlTests : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Epsilon = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _deadline = Deadline.After(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task Session_NotRenewed_ExpiresAtTwiceTtl_ReleasingItsKeyUnderLockDelay()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var key = "service/app/leader";
        var holder = await CreateAsync(client, Ttl, TimeSpan.FromSeconds(15));
        var next = await CreateAsync(client, Ttl, TimeSpan.Zero);
        Assert.Equal(AcquireOutcome.Acquired, (await client.AcquireAsync(key, Value("a"), holder, 0, Ct)).Succeeded().Outcome);

        time.Advance((Ttl * 2) - Epsilon);
        Assert.NotNull((await client.GetSessionInfoAsync(holder, Ct)).Value);
        Assert.NotNull((await client.RenewSessionAsync(next, Ct)).Value);
        Assert.Equal(holder, (await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Succeeded().Entry!.Session);

        time.Advance(Epsilon);
        Assert.Null((await client.GetSessionInfoAsync(holder, Ct)).Value);
        var released = (await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Succeeded().Entry!;
        Assert.Null(released.Session);
        Assert.Equal(1UL, released.LockIndex);

        Assert.Equal(AcquireOutcome.LockDelay, (await client.AcquireAsync(key, Value("b"), next, 0, Ct)).Succeeded().Outcome);
        time.Advance(TimeSpan.FromSeconds(15) - Epsilon);
        Assert.Equal(AcquireOutcome.LockDelay, (await client.AcquireAsync(key, Value("b"), next, 0, Ct)).Succeeded().Outcome);
        time.Advance(Epsilon);
        Assert.Equal(AcquireOutcome.Acquired, (await client.AcquireAsync(key, Value("b"), next, 0, Ct)).Succeeded().Outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task Session_Renewed_LivesTwiceTtlFromTheRenew()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var session = await CreateAsync(client, Ttl, TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.True((await client.RenewSessionAsync(session, Ct)).IsSuccess);
        time.Advance(TimeSpan.FromSeconds(20) - Epsilon);
        Assert.NotNull((await client.GetSessionInfoAsync(session, Ct)).Value);

        time.Advance(Epsilon);
        Assert.Null((await client.GetSessionInfoAsync(session, Ct)).Value);
        Assert.Equal(ConsulErrorKind.SessionNotFound, (await client.RenewSessionAsync(session, Ct)).Failed().Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task SessionWithoutTtl_NeverExpires()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var session = await CreateAsync(client, TimeSpan.Zero, TimeSpan.Zero);

        time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(string.Empty, (await client.GetSessionInfoAsync(session, Ct)).Present().Ttl);
    }

    [Fact(Timeout = 30_000)]
    public async Task LockDelay_OnExpiry_IsCappedAtSixtySeconds()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var holder = await CreateAsync(client, Ttl, TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(2), (await client.GetSessionInfoAsync(holder, Ct)).Present().LockDelay);
        await client.AcquireAsync("k", Value("a"), holder, 0, Ct);

        time.Advance(Ttl * 2);
        var next = await CreateAsync(client, TimeSpan.Zero, TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(60) - Epsilon);
        Assert.Equal(AcquireOutcome.LockDelay, (await client.AcquireAsync("k", Value("b"), next, 0, Ct)).Succeeded().Outcome);

        time.Advance(Epsilon);
        Assert.Equal(AcquireOutcome.Acquired, (await client.AcquireAsync("k", Value("b"), next, 0, Ct)).Succeeded().Outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task LeaderChange_RestartsEverySessionTimerAtTwiceTtl()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var session = await CreateAsync(client, Ttl, TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(15));
        await dev.FaultAsync("leader-change");
        time.Advance(TimeSpan.FromSeconds(20) - Epsilon);
        Assert.NotNull((await client.GetSessionInfoAsync(session, Ct)).Value);

        time.Advance(Epsilon);
        Assert.Null((await client.GetSessionInfoAsync(session, Ct)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task NoLeader_FreezesSessionTimers_AndTheNewLeaderRestartsThem()
    {
        var time = new FakeTimeProvider();
        await using var dev = await DevServerHarness.StartAsync(time);
        var client = dev.Client();
        var session = await CreateAsync(client, Ttl, TimeSpan.Zero);
        await client.AcquireAsync("k", Value("a"), session, 0, Ct);
        time.Advance(TimeSpan.FromSeconds(15));

        await dev.FaultAsync("no-leader", """{"enabled":true}""");
        Assert.Equal(ConsulErrorKind.NoClusterLeader, (await client.RenewSessionAsync(session, Ct)).Failed().Kind);
        time.Advance(TimeSpan.FromMinutes(5));
        var stale = (await client.GetKeyAsync("k", new KvQuery(Consistency: ConsulConsistency.Stale), Ct)).Succeeded();
        Assert.Equal(session, stale.Entry!.Session);
        Assert.False(stale.KnownLeader);

        await dev.FaultAsync("no-leader", """{"enabled":false}""");
        time.Advance(TimeSpan.FromSeconds(20) - Epsilon);
        Assert.NotNull((await client.GetSessionInfoAsync(session, Ct)).Value);
        time.Advance(Epsilon);
        Assert.Null((await client.GetSessionInfoAsync(session, Ct)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task SessionTtlMin_IsConfigurable()
    {
        await using var dev = await DevServerHarness.StartAsync(new FakeTimeProvider(), sessionTtlMin: TimeSpan.FromSeconds(1));
        var client = dev.Client();

        Assert.True((await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromSeconds(2), TimeSpan.Zero, "release", []), Ct)).IsSuccess);
        var refused = await client.CreateSessionAsync(new SessionCreateRequest("n", TimeSpan.FromMilliseconds(500), TimeSpan.Zero, "release", []), Ct);

        Assert.Contains("Invalid Session TTL '500000000', must be between [1s=24h0m0s]", refused.Failed().Message, StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync(ConsulClient client, TimeSpan ttl, TimeSpan lockDelay)
    {
        var created = await client.CreateSessionAsync(new SessionCreateRequest("t", ttl, lockDelay, "release", []), Ct);
        Assert.True(created.IsSuccess, created.Error?.ToString());
        return created.Succeeded();
    }

    private static byte[] Value(string text) => Encoding.UTF8.GetBytes(text);
}
