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

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}
