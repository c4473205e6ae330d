using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// <c>knd status</c>'s leader and <c>knd active-validator</c> read the same fact: once Consul says
/// nobody holds the lock, neither may go on naming the old leader.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class StatusFreshnessTests
{
    [Fact(Timeout = 180_000)]
    public async Task LockFreed_StatusLeaderAgreesWithActiveValidator_WithinASecond()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => (await passive.StatusAsync())?["leader_node_id"]?.GetValue<string>() == leader.NodeId, TimeSpan.FromSeconds(20), cluster.Describe);

        // Paused, the passive does not take the freed lock, so "nobody" lasts and can be compared.
        Assert.Equal(0, (await passive.CliAsync("pause")).ExitCode);
        await Eventually.UntilAsync(async () => (await passive.StatusAsync())?["paused"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(10), cluster.Describe);
        await leader.KillHostAsync();

        await Eventually.UntilAsync(
            async () => (await passive.CliAsync("active-validator", "--json")).Stdout.Trim() == "null",
            (options.SessionTtl * 2) + TimeSpan.FromSeconds(20),
            cluster.Describe);
        var freed = TimeProvider.System.GetTimestamp();

        await Eventually.UntilAsync(
            async () => (await passive.StatusAsync())?["leader_node_id"] is null,
            TimeSpan.FromSeconds(3),
            () => $"knd status still names {leader.NodeId} as leader {TimeProvider.System.GetElapsedTime(freed).TotalSeconds:0.0} s after active-validator said nobody\n{cluster.Describe()}");

        var human = await passive.CliAsync("status");
        Assert.Contains(human.Stdout.Split('\n'), l => l.StartsWith("leader", StringComparison.Ordinal) && l.TrimEnd().EndsWith("none", StringComparison.Ordinal));
    }

    [Fact(Timeout = 180_000)]
    public async Task PartitionHealsAfterTheLockWasFreed_StatusLeaderAgreesWithActiveValidator_WithinASecond()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => (await passive.StatusAsync())?["leader_node_id"]?.GetValue<string>() == leader.NodeId, TimeSpan.FromSeconds(20), cluster.Describe);
        Assert.Equal(0, (await passive.CliAsync("pause")).ExitCode);
        await Eventually.UntilAsync(async () => (await passive.StatusAsync())?["paused"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(10), cluster.Describe);

        // The passive's requests go unanswered (a partition: its lock watch hangs on a request that
        // will never come back); meanwhile the leader dies and its session expires.
        await cluster.Consul.BlackholeAsync(passive.NodeId, true);
        await leader.KillHostAsync();
        await Eventually.UntilAsync(async () => await cluster.Consul.LockHolderAsync(KndCluster.LockKey) is null, (options.SessionTtl * 2) + TimeSpan.FromSeconds(20), cluster.Describe);
        await cluster.Consul.BlackholeAsync(passive.NodeId, false);

        await Eventually.UntilAsync(
            async () => (await passive.CliAsync("active-validator", "--json")).Stdout.Trim() == "null",
            TimeSpan.FromSeconds(20),
            cluster.Describe);
        var freed = TimeProvider.System.GetTimestamp();

        await Eventually.UntilAsync(
            async () => (await passive.StatusAsync())?["leader_node_id"] is null,
            TimeSpan.FromSeconds(3),
            () => $"knd status still names {leader.NodeId} as leader {TimeProvider.System.GetElapsedTime(freed).TotalSeconds:0.0} s after active-validator said nobody\n{cluster.Describe()}");
    }
}
