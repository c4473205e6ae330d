using System.Text.Json;
using Knd.Cluster;
using Knd.Commands;
using Knd.Consul;
using Knd.Control;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Cluster;

/// <summary>knd list's view of the members/ records: roles, lag, staleness, tags, and its table and JSON shapes.</summary>
public sealed class MemberListTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StaleAfter = FailoverTimings.Defaults.MemberStaleAfter;

    private static Member Record(string node, string state, long? height, bool alive = true, bool noFailover = false, int priority = 0, string? renewedAt = "2026-11-21T11:59:58.000Z", string? production = "unknown") =>
        new(new MemberInfo(node, state, true, true, height, NoFailover: noFailover, Priority: priority, RenewedAt: renewedAt, Production: production), alive);

    private static MemberListView List(ClusterObservation cluster, string? leader, string lockKey = "k") => MemberList.From(lockKey, cluster, leader, Now, StaleAfter);

    private static ClusterObservation Cluster(bool paused, params Member[] members) => new(paused, null, 0, members, 7);

    [Fact]
    public void From_LeaderFirst_LagAgainstTheLeadersHead()
    {
        var view = List(Cluster(false, Record("node-c", "Voting", 90), Record("node-a", "Validating", 100), Record("node-b", "Voting", 100)), "node-a");

        Assert.Equal(["node-a", "node-b", "node-c"], view.Members.Select(m => m.NodeId));
        Assert.Equal(["leader", "passive", "passive"], view.Members.Select(m => m.Role));
        Assert.Equal([0L, 0L, 10L], view.Members.Select(m => m.Lag));
        Assert.Equal("node-a", view.Leader);
    }

    [Fact]
    public void From_RecordWithoutLiveSession_IsStale_AndNeverTheLeader()
    {
        var view = List(Cluster(false, Record("node-a", "Validating", 100, alive: false), Record("node-b", "Voting", 100)), "node-a");

        var dead = view.Members.Single(m => m.NodeId == "node-a");
        Assert.True(dead.Stale);
        Assert.False(dead.Alive);
        Assert.Equal("passive", dead.Role);
        Assert.Null(dead.Lag);
        Assert.Null(view.Members.Single(m => m.NodeId == "node-b").Lag);
    }

    [Fact]
    public void Render_ShowsPauseTagsAndStaleness()
    {
        var view = List(
            Cluster(
                true,
                Record("node-a", "Validating", 100, production: "missing 2"),
                Record("node-b", "Voting", 97, noFailover: true, priority: 5, renewedAt: "2026-11-21T11:59:47.600Z"),
                Record("node-c", "Voting", 50, alive: false, renewedAt: null, production: null),
                Record("node-d", "Voting", 99, renewedAt: "2026-11-21T11:40:00Z", production: "producing")),
            "node-a",
            "kuutamod-leader/v.near");

        var lines = MemberTable.Render(view).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("cluster kuutamod-leader/v.near  leader node-a  paused yes", lines[0]);
        Assert.Matches(@"^NODE\s+ROLE\s+STATE\s+HEIGHT\s+LAG\s+SYNCED\s+HEALTHY\s+PRODUCTION\s+HELD_OFF\s+TAGS\s+RENEWED\s+SESSION$", lines[1]);
        Assert.Matches(@"^node-a\s+leader\s+Validating\s+100\s+0\s+yes\s+yes\s+missing 2\s+no\s+priority=0\s+2s\s+live$", lines[2]);
        Assert.Matches(@"^node-b\s+passive\s+Voting\s+97\s+3\s+yes\s+yes\s+unknown\s+no\s+priority=5,no_failover\s+12s\s+live$", lines[3]);
        Assert.Matches(@"^node-c\s+passive\s+Voting\s+50\s+-\s+yes\s+yes\s+unknown\s+no\s+priority=0\s+-\s+gone \(stale\)$", lines[4]);
        Assert.Matches(@"^node-d\s+passive\s+Voting\s+99\s+-\s+yes\s+yes\s+producing\s+no\s+priority=0\s+20m00s\s+live, not renewed \(stale\)$", lines[5]);
    }

    [Fact]
    public void Render_NoRecords_SaysSo()
    {
        var text = MemberTable.Render(new MemberListView("k", null, false, []));

        Assert.Equal("cluster k  leader none  paused no\nno member records\n", text);
    }

    [Fact]
    public void Json_HasTheDocumentedShape()
    {
        var view = List(Cluster(false, Record("node-a", "Validating", 100, priority: 2, production: "producing")), "node-a");

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(view, ControlJsonContext.Default.MemberListView));
        var root = json.RootElement;

        Assert.Equal(["lock_key", "leader", "paused", "members"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["node_id", "role", "state", "alive", "stale", "height", "lag", "synced", "healthy", "held_off", "no_failover", "priority", "peer_address", "renewed_at", "renewal_age_seconds", "production"],
            root.GetProperty("members")[0].EnumerateObject().Select(p => p.Name));
        var member = root.GetProperty("members")[0];
        Assert.Equal(2, member.GetProperty("priority").GetInt32());
        Assert.Equal("2026-11-21T11:59:58.000Z", member.GetProperty("renewed_at").GetString());
        Assert.Equal(2.0, member.GetProperty("renewal_age_seconds").GetDouble());
        Assert.Equal("producing", member.GetProperty("production").GetString());
    }

    [Fact]
    public void MemberRecord_WithoutTags_ReadsAsFailoverPriorityZero()
    {
        var info = JsonSerializer.Deserialize("""{"node_id":"n","state":"Voting","synced":true,"healthy":true,"height":5}""", ClusterJsonContext.Default.MemberInfo)!;

        Assert.False(info.NoFailover);
        Assert.Equal(0, info.Priority);
    }

    [Fact]
    public void ReadiestPassive_PrefersPriority_ThenHead_AndSkipsNoFailover()
    {
        var cluster = Cluster(false, Record("node-a", "Validating", 100), Record("node-b", "Voting", 200, noFailover: true, priority: 9), Record("node-c", "Voting", 150), Record("node-d", "Voting", 90, priority: 1));

        Assert.Equal("node-d", cluster.ReadiestPassive("node-a")!.Info.NodeId);
        Assert.Equal(["node-c", "node-d"], cluster.Contenders("node-a").Select(c => c.NodeId));
    }

    [Fact]
    public void Staleness_ALiveRecord_TurnsStaleOnlyOnceItsRenewalIsOlderThanTwoTtlsPlusTheRefresh()
    {
        var time = new FakeTimeProvider();
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), null, TimeSpan.FromSeconds(30));
        var renewedAt = MemberRecordFields.FormatTime(time.GetUtcNow());
        var cluster = Cluster(false, Record("node-a", "Validating", 100), Record("node-b", "Voting", 99, renewedAt: renewedAt));
        MemberView NodeB() => MemberList.From("k", cluster, "node-a", time.GetUtcNow(), timings.MemberStaleAfter).Members.Single(m => m.NodeId == "node-b");

        Assert.Equal(TimeSpan.FromSeconds(11), timings.MemberStaleAfter);
        time.Advance(timings.MemberStaleAfter);
        Assert.False(NodeB().Stale);
        Assert.Equal(1L, NodeB().Lag);
        Assert.Equal(11.0, NodeB().RenewalAgeSeconds);

        time.Advance(TimeSpan.FromMilliseconds(100));
        var stale = NodeB();
        Assert.True(stale.Stale);
        Assert.True(stale.Alive);
        Assert.Null(stale.Lag);
        Assert.Equal(11.1, stale.RenewalAgeSeconds);
    }

    [Fact]
    public void RenewalAge_AMemberWhoseClockRunsAhead_IsZero_NeverNegative()
    {
        var view = List(Cluster(false, Record("node-a", "Validating", 100, renewedAt: "2026-11-21T12:00:03Z")), "node-a");

        Assert.Equal(0.0, view.Members[0].RenewalAgeSeconds);
        Assert.False(view.Members[0].Stale);
        Assert.Equal(TimeSpan.Zero, MemberList.RenewalAge(Now.AddSeconds(3), Now));
        Assert.Null(MemberList.RenewalAge(null, Now));
    }

    [Fact]
    public void OldRecord_WithoutRenewalOrProduction_ReadsAsNull_ShowsUnknown_AndStaysLiveWhileItsSessionIs()
    {
        var info = JsonSerializer.Deserialize("""{"node_id":"n","state":"Voting","synced":true,"healthy":true,"height":5}""", ClusterJsonContext.Default.MemberInfo)!;

        Assert.Null(info.RenewedAt);
        Assert.Null(info.Production);
        var view = List(Cluster(false, new Member(info, Alive: true)), null).Members.Single();
        Assert.False(view.Stale);
        Assert.Null(view.RenewedAt);
        Assert.Null(view.RenewalAgeSeconds);
        Assert.Equal("unknown", view.Production);
        Assert.Matches(@"\s+unknown\s+no\s+priority=0\s+-\s+live$", MemberTable.Render(List(Cluster(false, new Member(info, Alive: true)), null)).Split('\n')[2]);
    }

    [Theory]
    [InlineData("12345", "{\"x\":1}")]
    [InlineData("\"yesterday\"", "\"exploding\"")]
    [InlineData("\"3/4/2026\"", "\"missing -2\"")]
    [InlineData("[1,2]", "true")]
    [InlineData("\"2026-11-21T11:59:58Z\"", "\"missing 1x\"")]
    public void BadRenewalOrProduction_ReadsAsUnknown_AndTheRecordStillCounts(string renewedAt, string production)
    {
        var json = $$"""{"node_id":"node-b","state":"Voting","synced":true,"healthy":true,"height":5,"renewed_at":{{renewedAt}},"production":{{production}}}""";
        var keys = new ClusterKeys("k");
        var entries = new[] { new KvEntry(keys.Member("node-b"), System.Text.Encoding.UTF8.GetBytes(json), 0, 1, "session-b", 1, 1) };

        var cluster = ClusterReader.Read(keys, new KvListResult(entries, 9, true));

        var member = Assert.Single(cluster.Members);
        Assert.True(member.Candidate);
        var view = List(cluster, null).Members.Single();
        Assert.Equal("unknown", view.Production);
        Assert.Equal(renewedAt == "\"2026-11-21T11:59:58Z\"" ? 2.0 : null, view.RenewalAgeSeconds);
        Assert.False(view.Stale);
    }

    [Fact]
    public void MemberRecord_RoundTrips_RenewalAndProduction()
    {
        var info = new MemberInfo("n", "Validating", true, true, 5, RenewedAt: MemberRecordFields.FormatTime(Now.AddMilliseconds(-1234)), Production: "missing 3");

        var json = JsonSerializer.Serialize(info, ClusterJsonContext.Default.MemberInfo);
        var back = JsonSerializer.Deserialize(json, ClusterJsonContext.Default.MemberInfo)!;

        Assert.Contains("\"renewed_at\":\"2026-11-21T11:59:58.766Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"production\":\"missing 3\"", json, StringComparison.Ordinal);
        Assert.Equal(info, back);
        Assert.Equal(Now.AddMilliseconds(-1234), back.RenewedAtTime);
        Assert.Contains("\"renewed_at\":null", JsonSerializer.Serialize(info with { RenewedAt = null }, ClusterJsonContext.Default.MemberInfo), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData(0.0, "0s")]
    [InlineData(2.9, "2s")]
    [InlineData(59.99, "59s")]
    [InlineData(65.0, "1m05s")]
    [InlineData(3599.0, "59m59s")]
    [InlineData(3723.0, "1h02m")]
    [InlineData(273_600.0, "3d04h")]
    [InlineData(-1.0, "-")]
    public void Age_ReadsTheWayPeopleWriteIt(double? seconds, string shown) =>
        Assert.Equal(shown, MemberTable.Age(seconds));
}
