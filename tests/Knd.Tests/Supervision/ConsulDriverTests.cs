using Knd.Consul;

namespace Knd.Tests.Supervision;

/// <summary>
/// The Consul driver on a fake clock with a scripted client: every action posts its completion event
/// whatever happens, the watches never die and never wait on an index that cannot be right, and
/// repeated failures are logged once with a count.
/// </summary>
public sealed class ConsulDriverTests : IDisposable
{
    private const string Session = "session-1";
    private readonly DriverHarness _h = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _h.Dispose();
    }

    public static TheoryData<string> Actions() => ["create", "renew", "destroy", "acquire", "confirm", "check", "release"];

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task EveryAction_PostsItsCompletionEvent_EvenWhenTheClientThrows(string name)
    {
        // The fake client throws for every call: a bug, or an answer the client let through.
        SupervisorAction action = name switch
        {
            "create" => new CreateSessionAction(),
            "renew" => new RenewSessionAction(Session),
            "destroy" => new DestroySessionAction(Session),
            "acquire" => new AcquireLockAction(Session),
            "confirm" => new ConfirmLockAction(Session),
            "check" => new CheckLockAction(),
            _ => new ReleaseLockAction(Session, null),
        };

        await _h.Driver.Perform(action, _stop.Token);

        var posted = Assert.Single(_h.Events);
        switch (posted)
        {
            case SessionCreateFailedEvent failed:
                Assert.Contains("InvalidOperationException", failed.Error.Message, StringComparison.Ordinal);
                break;
            case SessionRenewFailedEvent renew:
                Assert.Equal((Session, LockServiceFailure.Unavailable), (renew.SessionId, renew.Error.Kind));
                break;
            case SessionDestroyedEvent destroyed:
                Assert.Equal((Session, false), (destroyed.SessionId, destroyed.Ok));
                break;
            case AcquireCompletedEvent acquired:
                Assert.Equal(LockAcquireOutcome.Failed, acquired.Outcome);
                Assert.NotNull(acquired.Error);
                break;
            case LockConfirmedEvent confirmed:
                Assert.False(confirmed.HeldByUs);
                Assert.NotNull(confirmed.Error);
                break;
            case LockReleasedEvent released:
                Assert.False(released.Ok);
                break;
            case LockCheckedEvent check:
                Assert.Null(check.Observation);
                Assert.NotNull(check.Error);
                break;
            default:
                Assert.Fail($"unexpected event {posted}");
                break;
        }

        Assert.Single(_h.LinesWith("failed inside knd"));
    }

    [Fact]
    public async Task Renew_ThatFails_PostsRenewFailed_WithTheMappedKind()
    {
        _h.Consul.Renew = _ => FakeConsulClient.Fail<SessionEntry>(new ConsulError(ConsulErrorKind.SessionNotFound, 404, "gone"));

        await _h.Driver.Perform(new RenewSessionAction(Session), _stop.Token);

        var failed = Assert.IsType<SessionRenewFailedEvent>(Assert.Single(_h.Events));
        Assert.Equal(LockServiceFailure.SessionGone, failed.Error.Kind);
    }

    [Fact]
    public async Task Destroy_RetriesWithGrowingPauses_UntilConsulConfirms()
    {
        var attempts = 0;
        _h.Consul.Destroy = _ => ++attempts < 4 ? FakeConsulClient.Fail<bool>() : FakeConsulClient.Ok(true);

        var destroy = _h.Driver.Perform(new DestroySessionAction(Session), _stop.Token);
        await _h.RunUntilAsync(() => destroy.IsCompleted, "the destroy to finish");

        Assert.Equal(new SessionDestroyedEvent(Session, true), Assert.Single(_h.Events));
        Assert.Equal(4, attempts);

        // 100 + 200 + 400 ms of pauses before the fourth attempt.
        Assert.InRange(_h.Clock.Now, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public async Task Destroy_GivesUpAfterTenSeconds_AndSaysSo()
    {
        _h.Consul.Destroy = _ => FakeConsulClient.Fail<bool>();

        var destroy = _h.Driver.Perform(new DestroySessionAction(Session), _stop.Token);
        await _h.RunUntilAsync(() => destroy.IsCompleted, "the destroy to give up");

        Assert.Equal(new SessionDestroyedEvent(Session, false), Assert.Single(_h.Events));
        Assert.InRange(_h.Clock.Now, TimeSpan.FromSeconds(8), _h.Timings.DestroyGiveUpAfter);
        Assert.Single(_h.LinesWith("could not be destroyed"));
        Assert.Single(_h.LinesWith("Consul: session destroy failed:"));
    }

    [Fact]
    public async Task LockWatch_SurvivesAnExceptionFromTheClient_ReportsIt_AndStartsAgainFromIndexZero()
    {
        var reads = 0;
        _h.Consul.GetKey = (_, query) => ++reads switch
        {
            1 => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, 10)),
            2 => throw new NullReferenceException("a null entry the client let through"),
            _ => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, 12)),
        };

        var watch = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => reads >= 4, "the watch to read again after the exception");

        Assert.Equal([0UL, 10UL, 0UL, 12UL], _h.Consul.LockReads.Take(4).Select(q => q.Index));
        Assert.Contains(_h.Events, e => e is LockWatchFailedEvent failed && failed.Error.Message.Contains("NullReferenceException", StringComparison.Ordinal));
        Assert.Contains(_h.Events, e => e is LockObservedEvent { Observation.Index: 12 });
        Assert.False(watch.IsCompleted);
        Assert.Single(_h.LinesWith("lock watch hit an unexpected error"));
    }

    [Theory]
    [InlineData("Transport")]
    [InlineData("Timeout")]
    [InlineData("MalformedResponse")]
    [InlineData("ServerError")]
    public async Task LockWatch_AfterAFailedRequest_RestartsFromIndexZero_NotTheOldIndex(string failure)
    {
        var kind = Enum.Parse<ConsulErrorKind>(failure);
        var reads = 0;
        _h.Consul.GetKey = (_, _) => ++reads switch
        {
            1 => FakeConsulClient.Ok(DriverHarness.Held("s-1", 40, 40)),
            2 => FakeConsulClient.Fail<KvGetResult>(new ConsulError(kind, null, "Consul went away")),
            _ => FakeConsulClient.Ok(DriverHarness.Missing(1)),
        };

        _ = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => reads >= 3, "the watch to read again after the failure");

        Assert.Equal([0UL, 40UL, 0UL], _h.Consul.LockReads.Take(3).Select(q => q.Index));
        Assert.Contains(_h.Events, e => e is LockObservedEvent { Observation.Exists: false, Observation.Index: 1 });
        Assert.Single(_h.LinesWith("Lock watch works again after 1 failures"));
    }

    [Fact]
    public async Task LockWatch_ABlockingQuerySentBeforeConsulAnsweredAgain_IsAskedAfresh_NotWaitedOut()
    {
        var reads = 0;
        _h.Consul.GetKeyWithToken = async (_, _, token) =>
        {
            switch (Interlocked.Increment(ref reads))
            {
                case 1:
                    return ConsulResult<KvGetResult>.Ok(DriverHarness.Held("s-1", 40, 40));
                case 2:
                    // Sent into a partition: nothing comes back until the request is given up.
                    await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
                    throw new InvalidOperationException("unreachable");
                default:
                    return ConsulResult<KvGetResult>.Ok(DriverHarness.Held("s-2", 41, 41));
            }
        };

        _ = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => Volatile.Read(ref reads) >= 2, "the blocking read");
        _h.Consul.Reconnect();
        await _h.RunUntilAsync(() => _h.Events.Any(e => e is LockObservedEvent { Observation.Holder: "s-2" }), "the watch to ask afresh and see the new holder");

        // Without the restart the second read would hang for its whole wait (30 s, and more on a real partition).
        Assert.True(_h.Clock.Now < TimeSpan.FromSeconds(2), $"the new holder was seen only at {_h.Clock.Now}");
        Assert.Equal([0UL, 40UL, 0UL], _h.Consul.LockReads.Take(3).Select(q => q.Index));
        Assert.Single(_h.LinesWith("Consul answers again after a request could not reach it"));
        Assert.DoesNotContain(_h.Events, e => e is LockWatchFailedEvent);
    }

    [Fact]
    public async Task LockWatch_RetriesAFailedRequestAfterHalfASecond_NotInATightLoop()
    {
        _h.Consul.GetKey = (_, _) => FakeConsulClient.Fail<KvGetResult>();

        _ = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => _h.Clock.Now >= TimeSpan.FromSeconds(12), "twelve seconds of failures");

        // Two requests a second, and in the log one line for the first and one summary after 10 s.
        Assert.InRange(_h.Consul.LockReads.Count, 23, 26);
        Assert.Single(_h.LinesWith("Consul: lock watch failed:"));
        var summary = Assert.Single(_h.LinesWith("lock watch failed 20 times in the last 10 s"));
        Assert.StartsWith("Warning", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterWatch_AfterAFailedRequest_RestartsFromIndexZero()
    {
        var reads = 0;
        _h.Consul.List = (_, _) => ++reads switch
        {
            1 => FakeConsulClient.Ok(new KvListResult([], 40, true)),
            2 => FakeConsulClient.Fail<KvListResult>(),
            _ => FakeConsulClient.Ok(new KvListResult([], 2, true)),
        };

        _ = _h.Driver.WatchClusterAsync(_stop.Token);
        await _h.RunUntilAsync(() => reads >= 4, "the cluster watch to read again after the failure");

        Assert.Equal([0UL, 40UL, 0UL, 2UL], _h.Consul.ListReads.Take(4).Select(q => q.Index));
        Assert.Equal(2UL, _h.Cluster.Latest.Index);
    }

    [Fact]
    public async Task LockWatch_ThatThrowsOnEveryRead_KeepsTrying_AndLogsTheStackTraceOnce()
    {
        _h.Consul.GetKey = (_, _) => throw new NullReferenceException("always");

        var watch = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => _h.Clock.Now >= TimeSpan.FromSeconds(30), "30 s of a broken watch", step: TimeSpan.FromMilliseconds(100));

        Assert.False(watch.IsCompleted);
        Assert.InRange(_h.Consul.LockReads.Count, 55, 62);
        Assert.InRange(_h.Events.OfType<LockWatchFailedEvent>().Count(), 55, 62);
        Assert.Single(_h.LinesWith("lock watch hit an unexpected error"));
    }

    [Fact]
    public async Task Renew_ThatThrowsEveryTime_LogsTheStackTraceOnce_ThenCounts()
    {
        _h.Consul.Renew = _ => throw new NullReferenceException("a bug");

        for (var i = 0; i < 100; i++)
        {
            await _h.Driver.Perform(new RenewSessionAction(Session), _stop.Token);
            _h.Time.Advance(TimeSpan.FromMilliseconds(150));
        }

        Assert.Equal(100, _h.Events.OfType<SessionRenewFailedEvent>().Count());
        Assert.Single(_h.LinesWith("session renew failed inside knd"));
        Assert.Single(_h.LinesWith("session renew failed 67 times in the last 10 s; last: inside knd: NullReferenceException"));
    }

    [Fact]
    public async Task ClusterWatch_SurvivesAnException_AndKeepsPublishing()
    {
        var reads = 0;
        _h.Consul.List = (_, _) => ++reads == 1
            ? throw new InvalidOperationException("boom")
            : FakeConsulClient.Ok(new KvListResult([], 7, true));

        var watch = _h.Driver.WatchClusterAsync(_stop.Token);
        await _h.RunUntilAsync(() => _h.Cluster.Known, "the cluster watch to publish after the exception");

        Assert.Equal(7UL, _h.Cluster.Latest.Index);
        Assert.False(watch.IsCompleted);
        Assert.Contains(_h.Events, e => e is PauseObservedEvent);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData((1UL << 53) + 1)]
    [InlineData(5UL)]
    public async Task LockWatch_AnAbsurdOrBackwardsIndex_IsNeverWaitedOn_TheWatchReadsAfreshFromZero(ulong bad)
    {
        var reads = 0;
        _h.Consul.GetKey = (_, _) => ++reads switch
        {
            1 => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, 10)),
            2 => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, bad)),
            _ => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, 11)),
        };

        _ = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => reads >= 4, "the watch to read again");

        Assert.Equal([0UL, 10UL, 0UL, 11UL], _h.Consul.LockReads.Take(4).Select(q => q.Index));
        Assert.DoesNotContain(_h.Events, e => e is LockObservedEvent observed && observed.Observation.Index == bad);
        Assert.Contains(_h.Events, e => e is LockWatchFailedEvent { Error.Kind: LockServiceFailure.Malformed });
    }

    [Fact]
    public async Task CheckLock_IsOneConsistentRead_PostedWithWhenItWasSent()
    {
        _h.Consul.GetKey = (_, query) =>
        {
            Assert.Equal((0UL, ConsulConsistency.Consistent), (query.Index, query.Consistency));
            return FakeConsulClient.Ok(DriverHarness.Held("s-2", 42, 43));
        };
        _h.Time.Advance(TimeSpan.FromSeconds(3));
        var sentAt = _h.Clock.Now;

        await _h.Driver.Perform(new CheckLockAction(), _stop.Token);

        var check = Assert.IsType<LockCheckedEvent>(Assert.Single(_h.Events));
        Assert.Equal(sentAt, check.SentAt);
        Assert.Equal(("s-2", 42UL), (check.Observation!.Holder, check.Observation.ModifyIndex));
        Assert.Null(check.Error);
    }

    [Fact]
    public async Task LockWatch_LogsWhenTheLockKeyDisappears()
    {
        var reads = 0;
        _h.Consul.GetKey = (_, _) => ++reads switch
        {
            1 => FakeConsulClient.Ok(DriverHarness.Held("s-1", 10, 10)),
            _ => FakeConsulClient.Ok(DriverHarness.Missing(11)),
        };

        _ = _h.Driver.WatchLockAsync(_stop.Token);
        await _h.RunUntilAsync(() => reads >= 4, "several reads");

        Assert.Single(_h.LinesWith("disappeared"));
        Assert.Contains(_h.Events, e => e is LockObservedEvent { Observation.Exists: false, Observation.Index: 11 });
    }
}
