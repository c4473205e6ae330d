using System.Text.Json;
using Knd.Cluster;
using Knd.Commands;
using Knd.Control;

namespace Knd.Tests.Cluster;

/// <summary>knd list's view of the members/ records: roles, lag, staleness, tags, and its table and JSON shapes.</summary>
public sealed class MemberListTests
{
    private static Member Record(string node, string state, long? height, bool alive = true, bool noFailover = false, int priority = 0) =>
        new(new MemberInfo(node, state, true, true, height, NoFailover: noFailover, Priority: priority), alive);

    private static ClusterObservation Cluster(bool paused, params Member[] members) => new(paused, null, 0, members, 7);

    [Fact]
    public void From_LeaderFirst_LagAgainstTheLeadersHead()
    {
        var view = MemberList.From("kuutamod-leader/v.near", Cluster(false, Record("node-c", "Voting", 90), Record("node-a", "Validating", 100), Record("node-b", "Voting", 100)), "node-a");

        Assert.Equal(["node-a", "node-b", "node-c"], view.Members.Select(m => m.NodeId));
        Assert.Equal(["leader", "passive", "passive"], view.Members.Select(m => m.Role));
        Assert.Equal([0L, 0L, 10L], view.Members.Select(m => m.Lag));
        Assert.Equal("node-a", view.Leader);
    }

    [Fact]
    public void From_RecordWithoutLiveSession_IsStale_AndNeverTheLeader()
    {
        var view = MemberList.From("k", Cluster(false, Record("node-a", "Validating", 100, alive: false), Record("node-b", "Voting", 100)), "node-a");

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
        var view = MemberList.From("kuutamod-leader/v.near", Cluster(true, Record("node-a", "Validating", 100), Record("node-b", "Voting", 97, noFailover: true, priority: 5), Record("node-c", "Voting", 50, alive: false)), "node-a");

        var lines = MemberTable.Render(view).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("cluster kuutamod-leader/v.near  leader node-a  paused yes", lines[0]);
        Assert.StartsWith("NODE    ROLE     STATE       HEIGHT  LAG", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^node-a\s+leader\s+Validating\s+100\s+0\s+yes\s+yes\s+no\s+priority=0\s+live$", lines[2]);
        Assert.Matches(@"^node-b\s+passive\s+Voting\s+97\s+3\s+yes\s+yes\s+no\s+priority=5,no_failover\s+live$", lines[3]);
        Assert.Matches(@"^node-c\s+passive\s+Voting\s+50\s+-\s+.*gone \(stale\)$", lines[4]);
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
        var view = MemberList.From("k", Cluster(false, Record("node-a", "Validating", 100, priority: 2)), "node-a");

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(view, ControlJsonContext.Default.MemberListView));
        var root = json.RootElement;

        Assert.Equal(["lock_key", "leader", "paused", "members"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["node_id", "role", "state", "alive", "stale", "height", "lag", "synced", "healthy", "held_off", "no_failover", "priority", "peer_address"],
            root.GetProperty("members")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("members")[0].GetProperty("priority").GetInt32());
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
}
