using Knd.Cluster;
using Knd.Consul;
using Knd.Supervision;

namespace Knd.Tests.Supervision;

/// <summary>
/// The member record while Consul fails: the loop asks for it on every event (about 30 a second),
/// but knd writes it at a pace that backs off to <see cref="FailoverTimings.MemberRetryMax"/>, and logs
/// the failure once with a count.
/// </summary>
public sealed class MemberPublishTests : IDisposable
{
    private static readonly MemberInfo Voting = new(DriverHarness.NodeId, "Voting", true, true, 100);
    private static readonly TimeSpan LoopEvent = TimeSpan.FromSeconds(1.0 / 30);

    private readonly DriverHarness _h = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task WhileConsulFails_TheRecordIsRetriedWithGrowingPauses_NotOnEveryLoopEvent()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Fail<AcquireResult>();

        var attemptsAt = await RunLoopAsync(TimeSpan.FromSeconds(40));

        // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 25.5, 35.5 s: doubling from 0.5 s to the 10 s cap.
        Assert.Equal(8, attemptsAt.Count);
        var pauses = attemptsAt.Zip(attemptsAt.Skip(1), (a, b) => b - a).ToList();
        Assert.All(pauses.Zip(new[] { 0.5, 1, 2, 4, 8, 10, 10 }), p => Assert.InRange(p.First.TotalSeconds, p.Second, p.Second + 0.1));
    }

    [Fact]
    public async Task WhileConsulFails_TheFailureIsLoggedOnce_ThenAsACount_ThenItsRecovery()
    {
        var failing = true;
        _h.Consul.Acquire = (_, _) => failing ? FakeConsulClient.Fail<AcquireResult>() : FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));

        await RunLoopAsync(TimeSpan.FromSeconds(40));
        failing = false;
        var recoveredAfter = await RunLoopAsync(TimeSpan.FromSeconds(12));

        Assert.Single(_h.LinesWith("Consul: member publish failed:"));
        Assert.NotEmpty(_h.LinesWith("member publish failed"));
        Assert.InRange(_h.LinesWith("Consul: member publish failed").Count, 2, 4);
        Assert.Single(_h.LinesWith("member publish works again after 8 failures"));
        Assert.Single(recoveredAfter);
    }

    [Fact]
    public async Task AfterASuccess_ThePauseStartsSmallAgain()
    {
        var failures = 3;
        _h.Consul.Acquire = (_, _) => failures-- > 0 ? FakeConsulClient.Fail<AcquireResult>() : FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));

        await RunLoopAsync(TimeSpan.FromSeconds(5));
        failures = 1;
        var attemptsAt = await RunLoopAsync(TimeSpan.FromSeconds(2), Voting with { State = "Syncing" });

        Assert.Equal(2, attemptsAt.Count);
        Assert.InRange((attemptsAt[1] - attemptsAt[0]).TotalSeconds, 0.5, 0.6);
    }

    [Fact]
    public async Task HeldByAnotherSession_CountsAsAFailure_AndBacksOff()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.HeldByOther, "old-session"));

        var attemptsAt = await RunLoopAsync(TimeSpan.FromSeconds(4));

        // 0, 0.5, 1.5 and 3.5 s.
        Assert.Equal(4, attemptsAt.Count);
        Assert.Contains("HeldByOther", Assert.Single(_h.LinesWith("Consul: member publish failed:")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoingIntoABackOff_IsWrittenAtOnce_SoNoHandoverNamesThisNode()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        Assert.Single(await RunLoopAsync(TimeSpan.FromSeconds(1)));

        var attempts = await RunLoopAsync(TimeSpan.FromSeconds(1), Voting with { HeldOff = true });

        Assert.Single(attempts);
        Assert.False(new Member(Voting with { HeldOff = true }, Alive: true).ReadyPassive);
    }

    [Fact]
    public async Task TheHeadAloneChanging_IsWrittenOnlyEveryHeightRefresh()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        var attemptsAt = new List<TimeSpan>();
        var height = 100L;
        var end = _h.Clock.Now + TimeSpan.FromSeconds(12);
        while (_h.Clock.Now < end)
        {
            // A new head every tenth of a second: 120 heights, written three times (0, 5, 10 s).
            height++;
            attemptsAt.AddRange(await RunLoopAsync(TimeSpan.FromSeconds(0.1), Voting with { Height = height }));
        }

        Assert.Equal(3, attemptsAt.Count);
        Assert.InRange((attemptsAt[1] - attemptsAt[0]).TotalSeconds, _h.Timings.MemberHeightRefresh.TotalSeconds, _h.Timings.MemberHeightRefresh.TotalSeconds + 0.2);
    }

    [Fact]
    public async Task TheRenewalTimeAloneChanging_IsWrittenEveryHeightRefresh_SoTheRecordsAgeStaysBounded()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        var attemptsAt = new List<TimeSpan>();
        var end = _h.Clock.Now + TimeSpan.FromSeconds(12);
        while (_h.Clock.Now < end)
        {
            // A renewal every 0.75 s (TTL 3 s), the head unchanged: 16 renewals, written three times (0, 5, 10 s).
            var renewedAt = MemberRecordFields.FormatTime(_h.Time.GetUtcNow());
            attemptsAt.AddRange(await RunLoopAsync(TimeSpan.FromSeconds(0.75), Voting with { RenewedAt = renewedAt }));
        }

        Assert.Equal(3, attemptsAt.Count);
        Assert.All(attemptsAt.Zip(attemptsAt.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, _h.Timings.MemberHeightRefresh, _h.Timings.MemberHeightRefresh + TimeSpan.FromSeconds(0.8)));
    }

    [Fact]
    public async Task TheProductionVerdictChangingKind_IsWrittenAtOnce_ItsCountOfMissesAtTheRefresh()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        Assert.Single(await RunLoopAsync(TimeSpan.FromSeconds(1), Voting with { Production = "producing" }));

        Assert.Single(await RunLoopAsync(TimeSpan.FromSeconds(0.5), Voting with { Production = "missing 1" }));
        Assert.Empty(await RunLoopAsync(TimeSpan.FromSeconds(0.5), Voting with { Production = "missing 2" }));
        Assert.Single(await RunLoopAsync(TimeSpan.FromSeconds(0.5), Voting with { Production = "not-producing" }));
    }

    [Fact]
    public async Task TheFailsafeList_IsReportedWhenAWriteLands_OnlyWhenItChanges()
    {
        _h.Consul.Acquire = (_, _) => FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        var listed = Voting with { State = "Validating", FailsafeMembers = new NodeList(["node-a", "node-b"]) };

        await RunLoopAsync(TimeSpan.FromSeconds(1), Voting);
        await RunLoopAsync(TimeSpan.FromSeconds(1), listed);
        await RunLoopAsync(TimeSpan.FromSeconds(1), listed with { State = "Validating", FailsafeMembers = new NodeList(["node-a", "node-b"]) });

        // The first write (no list), then the list once: an equal list in a new object is the same list.
        Assert.Equal([null, "node-a,node-b"], Reported());
    }

    [Fact]
    public async Task AWriteThatFails_WhileChangingTheList_ReportsItUnknown_AndWritesAgainWhenBack()
    {
        await ListedRecordWrittenAsync();

        // Dropping the list fails (it may have landed): unknown, so the leader counts as not covered.
        _failing = true;
        await RunLoopAsync(TimeSpan.FromSeconds(1), Voting);
        Assert.Equal(["node-a,node-b", null], Reported());

        // Back to the listed record: written again although the last landed write said the same.
        _failing = false;
        var attempts = await RunLoopAsync(TimeSpan.FromSeconds(3), Listed);
        Assert.NotEmpty(attempts);
        Assert.Equal(["node-a,node-b", null, "node-a,node-b"], Reported());
    }

    [Fact]
    public async Task AWriteThatFails_WithTheSameList_ReportsNothing()
    {
        await ListedRecordWrittenAsync();

        // A Consul outage: the record's other fields change, the list does not; the failsafe keeps its cover.
        _failing = true;
        await RunLoopAsync(TimeSpan.FromSeconds(20), Listed with { Height = 500, RenewedAt = "2026-12-06T10:00:00.000Z" });

        Assert.Equal(["node-a,node-b"], Reported());
    }

    private static readonly MemberInfo Listed = Voting with { State = "Validating", FailsafeMembers = new NodeList(["node-a", "node-b"]) };

    private bool _failing;

    /// <summary>Writes fail while <see cref="_failing"/>; first a record with the failsafe list lands.</summary>
    private async Task ListedRecordWrittenAsync()
    {
        _h.Consul.Acquire = (_, _) => _failing ? FakeConsulClient.Fail<AcquireResult>() : FakeConsulClient.Ok(new AcquireResult(AcquireOutcome.Acquired));
        await RunLoopAsync(TimeSpan.FromSeconds(1), Listed);
    }

    private List<string?> Reported() =>
        [.. _h.Events.OfType<FailsafeRosterPublishedEvent>().Select(e => e.Roster is null ? null : string.Join(',', e.Roster))];

    /// <summary>Calls PublishMember as the loop does, once per event, for <paramref name="duration"/> of fake time; returns when writes were attempted.</summary>
    private async Task<List<TimeSpan>> RunLoopAsync(TimeSpan duration, MemberInfo? info = null)
    {
        var attempts = new List<TimeSpan>();
        var end = _h.Clock.Now + duration;
        while (_h.Clock.Now < end)
        {
            var before = _h.Consul.Count($"acquire {DriverHarness.LockKey}/members/{DriverHarness.NodeId}");
            await _h.Driver.StartPublishMember("session-1", info ?? Voting, _stop.Token);
            if (_h.Consul.Count($"acquire {DriverHarness.LockKey}/members/{DriverHarness.NodeId}") > before)
            {
                attempts.Add(_h.Clock.Now);
            }

            _h.Time.Advance(LoopEvent);
        }

        return attempts;
    }
}

public sealed class MemberPublisherSummaryTests
{
    private static readonly MemberInfo Voting = new("node-a", "Voting", true, true, 100);

    [Fact]
    public void SameSummary_TheHeightAloneChanging_IsNotWorthAWrite() =>
        Assert.True(MemberPublisher.SameSummary(Voting, Voting with { Height = 101 }));

    [Fact]
    public void SameSummary_AnyOtherFieldChanging_IsWritten()
    {
        Assert.False(MemberPublisher.SameSummary(Voting, Voting with { HeldOff = true }));
        Assert.False(MemberPublisher.SameSummary(Voting, Voting with { State = "Validating" }));
        Assert.False(MemberPublisher.SameSummary(Voting, Voting with { PeerAddress = "127.0.0.1:1" }));
        Assert.False(MemberPublisher.SameSummary(Voting with { Production = "producing" }, Voting with { Production = "missing 1" }));
        Assert.False(MemberPublisher.SameSummary(Voting, Voting with { FailsafeMembers = new NodeList(["node-a"]) }));
        Assert.False(MemberPublisher.SameSummary(Voting with { FailsafeMembers = new NodeList(["node-a"]) }, Voting with { FailsafeMembers = new NodeList(["node-a", "node-b"]) }));
        Assert.True(MemberPublisher.SameSummary(Voting with { FailsafeMembers = new NodeList(["node-a"]) }, Voting with { FailsafeMembers = new NodeList(["node-a"]) }));
    }

    [Fact]
    public void SameSummary_TheRenewalTimeOrTheCountOfMisses_IsNotWorthAWrite()
    {
        Assert.True(MemberPublisher.SameSummary(Voting with { RenewedAt = "2026-11-21T12:00:00.000Z" }, Voting with { RenewedAt = "2026-11-21T12:00:00.750Z" }));
        Assert.True(MemberPublisher.SameSummary(Voting with { Production = "missing 1" }, Voting with { Production = "missing 2" }));
    }
}
