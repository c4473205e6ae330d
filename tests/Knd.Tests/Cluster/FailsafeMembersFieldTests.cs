using System.Text;
using System.Text.Json;
using Knd.Cluster;
using Knd.Consul;

namespace Knd.Tests.Cluster;

/// <summary>The member record's <c>failsafe_members</c>: a JSON array of node ids; anything else reads as no list and keeps the record.</summary>
public sealed class FailsafeMembersFieldTests
{
    private static readonly ClusterKeys Keys = new("kuutamod-leader/validator.near");

    private static ClusterObservation Read(string nodeId, string json) =>
        ClusterReader.Read(Keys, new KvListResult([new KvEntry(Keys.Member(nodeId), Encoding.UTF8.GetBytes(json), 0, 1, "s", 5, 5)], 9, true));

    [Fact]
    public void Written_IsAnArrayOfNodeIds_AndReadsBack()
    {
        var info = new MemberInfo("node-a", "Validating", true, true, 10, FailsafeMembers: new NodeList(["node-a", "node,b"]));
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(info, ClusterJsonContext.Default.MemberInfo));

        Assert.Contains("\"failsafe_members\":[\"node-a\",\"node,b\"]", json, StringComparison.Ordinal);
        var observed = Read("node-a", json);
        Assert.Equal(["node-a", "node,b"], observed.FailsafeRosters()["node-a"].Items);
    }

    [Theory]
    [InlineData("\"node-a,node-b\"")]
    [InlineData("[\"node-a\", 3]")]
    [InlineData("[\"\"]")]
    [InlineData("{\"node-a\":true}")]
    [InlineData("null")]
    public void Garbage_ReadsAsNoList_AndKeepsTheRecord(string field)
    {
        var observed = Read("node-b", $$"""{"node_id":"node-b","state":"Voting","synced":true,"healthy":true,"height":5,"failsafe_members":{{field}}}""");

        Assert.Equal("node-b", Assert.Single(observed.Members).Info.NodeId);
        Assert.Empty(observed.FailsafeRosters());
    }

    [Fact]
    public void OlderRecord_WithoutTheField_HasNoList()
    {
        var observed = Read("node-c", """{"node_id":"node-c","state":"Voting","synced":true,"healthy":true,"height":5}""");

        Assert.Null(Assert.Single(observed.Members).Info.FailsafeMembers);
        Assert.Empty(observed.FailsafeRosters());
    }
}
