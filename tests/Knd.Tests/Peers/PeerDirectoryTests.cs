using Knd.Cluster;
using Knd.Peers;

namespace Knd.Tests.Peers;

/// <summary>The failsafe's member list: a Consul that comes back empty must not make the leader forget whose promise it needs.</summary>
public sealed class PeerDirectoryTests
{
    private static ClusterObservation Seen(ulong index, params (string Node, string? Address)[] members) =>
        new(false, null, 0, [.. members.Select(m => new Member(new MemberInfo(m.Node, "Voting", true, true, 1, PeerAddress: m.Address), true))], index);

    [Fact]
    public void FirstAnswer_ListsEveryMember_WithAddresses()
    {
        var directory = new PeerDirectory();

        var members = directory.Update(Seen(10, ("node-0", "127.0.0.1:1"), ("node-1", "127.0.0.1:2"), ("node-2", null)));

        Assert.Equal(["node-0", "node-1", "node-2"], members);
        Assert.Equal([("node-1", "127.0.0.1:2"), ("node-2", (string?)null)], directory.Others("node-0"));
    }

    [Fact]
    public void RecordGone_AtAHigherIndex_DropsTheMember()
    {
        var directory = new PeerDirectory();
        directory.Update(Seen(10, ("node-0", "a:1"), ("node-1", "b:1")));

        Assert.Equal(["node-0"], directory.Update(Seen(11, ("node-0", "a:1"))));
    }

    [Fact]
    public void ConsulBackEmpty_IndexWentBackwards_KeepsEveryMember()
    {
        var directory = new PeerDirectory();
        directory.Update(Seen(500, ("node-0", "a:1"), ("node-1", "b:1"), ("node-2", "c:1")));

        var members = directory.Update(Seen(3, ("node-0", "a:1")));

        Assert.Null(members);
        Assert.Equal(2, directory.Others("node-0").Count);
    }

    [Fact]
    public void RecordWithoutAddress_KeepsTheLastAddressSeen()
    {
        var directory = new PeerDirectory();
        directory.Update(Seen(10, ("node-0", "a:1"), ("node-1", "b:1")));

        directory.Update(Seen(11, ("node-0", "a:1"), ("node-1", null)));

        Assert.Equal([("node-1", (string?)"b:1")], directory.Others("node-0"));
    }

    [Fact]
    public void SameIndexAgain_IsNoChange()
    {
        var directory = new PeerDirectory();
        Assert.NotNull(directory.Update(Seen(10, ("node-0", "a:1"))));

        Assert.Null(directory.Update(Seen(10, ("node-0", "a:1"))));
        Assert.Null(directory.Update(Seen(0)));
    }
}
