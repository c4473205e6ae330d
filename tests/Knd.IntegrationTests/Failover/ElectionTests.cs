namespace Knd.IntegrationTests.Failover;

[Collection(FailoverCollection.Name)]
public sealed class ElectionTests
{
    [Fact]
    public async Task ThreeNodes_Elect_OneValidatingTheRestVoting()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 3 });

        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));

        Assert.Equal(200, await leader.HttpStatusAsync("leader"));
        foreach (var passive in cluster.Nodes.Where(n => n != leader))
        {
            Assert.Equal(503, await passive.HttpStatusAsync("leader"));
            Assert.Equal(200, await passive.HttpStatusAsync("passive"));
        }

        var ledger = cluster.AssertNoDoubleSign();
        Assert.All(ledger.Entries, e => Assert.Equal(leader.Home.Dir, e.Home));
    }
}

/// <summary>
/// One of the three collections of tests that start a real cluster. Within a collection they run one
/// after another; xUnit runs two collections at a time on a 2-core runner (one after another the
/// cluster tests took 20+ minutes, over the suite's budget), in the order of
/// <see cref="Infrastructure.HeaviestFirstOrderer"/>: this one (about 7 minutes) and then the light
/// collections in one lane, the second (6) and then the third (3.5) in the other. Keep the lanes
/// even when adding tests. Timing bounds stay those of the failover arithmetic; a cluster idles at a
/// few percent of a core, so a neighbour costs little.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}

/// <summary>The second third of the cluster tests (see <see cref="FailoverCollection"/>).</summary>
[CollectionDefinition(Name)]
public sealed class FailoverSecondCollection
{
    public const string Name = "failover-2";
}

/// <summary>The last third of the cluster tests (see <see cref="FailoverCollection"/>).</summary>
[CollectionDefinition(Name)]
public sealed class FailoverThirdCollection
{
    public const string Name = "failover-3";
}
