using Knd.Consul;

namespace Knd.Tests.Supervision;

/// <summary>
/// Sessions left behind by creates whose answers were lost are destroyed once the current session is
/// renewed, and only those: never the current one, one holding a key, one made before this process
/// started or after the current one, or one of another node.
/// </summary>
public sealed class OrphanSessionTests : IDisposable
{
    private readonly DriverHarness _h = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task AfterTwoLostCreates_TheFirstRenewal_DestroysTheTwoOrphans_AndNothingElse()
    {
        ScriptBaseline(100);
        var creates = 0;
        _h.Consul.Create = _ => ++creates < 3 ? FakeConsulClient.Fail<string>() : FakeConsulClient.Ok("s-3");
        ScriptNodeSessions(
            DriverHarness.Session("old", 90),
            DriverHarness.Session("s-1", 101),
            DriverHarness.Session("other-node", 102, name: "node-b"),
            DriverHarness.Session("holder", 103),
            DriverHarness.Session("s-2", 105),
            DriverHarness.Session("s-3", 110),
            DriverHarness.Session("later", 120));
        _h.Consul.List = (_, _) => FakeConsulClient.Ok(new KvListResult([new KvEntry(DriverHarness.LockKey + "/members/node-a", [], 0, 1, "holder", 103, 103)], 130, true));
        var destroyed = ScriptDestroy();

        for (var i = 0; i < 3; i++)
        {
            await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        }

        await RenewAsync("s-3", 110);

        await DriverHarness.SettleAsync(() => destroyed.Count == 2 && _h.Driver.UnconfirmedCreates == 0, "the sweep");
        Assert.Equal(["s-1", "s-2"], destroyed.Order());
        Assert.Equal(2, _h.LinesWith("Destroyed orphan Consul session").Count);
        Assert.Equal(1, _h.Consul.Count("list sessions") - 1);
    }

    [Fact]
    public async Task WithoutALostCreate_ARenewalListsNothing()
    {
        ScriptBaseline(100);
        _h.Consul.Create = _ => FakeConsulClient.Ok("s-1");

        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await RenewAsync("s-1", 101);

        Assert.Equal(1, _h.Consul.Count("list sessions"));
        Assert.DoesNotContain(_h.Consul.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AtMostAsManySessionsAsCreatesWereLost_AreDestroyed_OldestFirst()
    {
        ScriptBaseline(100);
        var creates = 0;
        _h.Consul.Create = _ => ++creates < 2 ? FakeConsulClient.Fail<string>() : FakeConsulClient.Ok("s-9");
        ScriptNodeSessions(DriverHarness.Session("a", 101), DriverHarness.Session("b", 102), DriverHarness.Session("s-9", 110));
        _h.Consul.List = (_, _) => FakeConsulClient.Ok(new KvListResult([], 130, true));
        var destroyed = ScriptDestroy();

        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await RenewAsync("s-9", 110);

        await DriverHarness.SettleAsync(() => _h.Driver.UnconfirmedCreates == 0, "the sweep");
        Assert.Equal(["a"], destroyed);
    }

    [Fact]
    public async Task WhenSessionsCannotBeListed_TheCreateStillHappens_AndNothingIsSwept()
    {
        _h.Consul.ListSessions = _ => FakeConsulClient.Fail<SessionListResult>(new ConsulError(ConsulErrorKind.PermissionDenied, 403, "Permission denied"));
        var creates = 0;
        _h.Consul.Create = _ => ++creates < 2 ? FakeConsulClient.Fail<string>() : FakeConsulClient.Ok("s-2");

        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await RenewAsync("s-2", 110);

        Assert.Contains(_h.Events, e => e is SessionCreatedEvent { SessionId: "s-2" });
        Assert.DoesNotContain(_h.Consul.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal) || c.StartsWith("list kuutamod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailedSweep_IsTriedAgainAtTheNextRenewal()
    {
        ScriptBaseline(100);
        var creates = 0;
        _h.Consul.Create = _ => ++creates < 2 ? FakeConsulClient.Fail<string>() : FakeConsulClient.Ok("s-2");
        ScriptNodeSessions(DriverHarness.Session("s-1", 101), DriverHarness.Session("s-2", 110));
        var reads = 0;
        _h.Consul.List = (_, _) => ++reads == 1 ? FakeConsulClient.Fail<KvListResult>() : FakeConsulClient.Ok(new KvListResult([], 130, true));
        var destroyed = ScriptDestroy();

        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await _h.Driver.Perform(new CreateSessionAction(), _stop.Token);
        await RenewAsync("s-2", 110);
        await DriverHarness.SettleAsync(() => reads == 1 && !_h.Consul.Calls.IsEmpty, "the first sweep");
        await DriverHarness.SettleAsync(() => _h.LinesWith("orphan session sweep failed").Count == 1, "the failed sweep to be logged");
        await RenewAsync("s-2", 110);

        await DriverHarness.SettleAsync(() => destroyed.Count == 1, "the second sweep");
        Assert.Equal(["s-1"], destroyed);
    }

    private void ScriptBaseline(ulong index) => _h.Consul.ListSessions = node => node is null
        ? FakeConsulClient.Ok(new SessionListResult([], index))
        : throw new InvalidOperationException("no node sessions scripted");

    private void ScriptNodeSessions(params SessionEntry[] sessions)
    {
        var baseline = _h.Consul.ListSessions;
        _h.Consul.ListSessions = node => node == "consul-node" ? FakeConsulClient.Ok(new SessionListResult(sessions, 130)) : baseline(node);
    }

    private List<string> ScriptDestroy()
    {
        var destroyed = new List<string>();
        _h.Consul.Destroy = id =>
        {
            lock (destroyed)
            {
                destroyed.Add(id);
            }

            return FakeConsulClient.Ok(true);
        };
        return destroyed;
    }

    private async Task RenewAsync(string session, ulong createIndex)
    {
        _h.Consul.Renew = id => FakeConsulClient.Ok(DriverHarness.Session(id, createIndex));
        await _h.Driver.Perform(new RenewSessionAction(session), _stop.Token);
    }
}
