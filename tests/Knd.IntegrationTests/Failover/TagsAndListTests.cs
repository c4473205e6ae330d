using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>--no-failover and --priority with real processes, and knd list / remove-member against a real cluster.</summary>
[Collection(FailoverThirdCollection.Name)]
public sealed class TagsAndListTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A dead host's session is invalidated within 2 x TTL (Consul's bound), then the lock-delay, plus slack for a loaded machine.</summary>
    private static TimeSpan FailoverBound(ClusterOptions options) => (options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromSeconds(5);

    /// <summary>FailoverTimings.MemberHeightRefresh: how often a live member rewrites its record's height and renewal time.</summary>
    private static readonly TimeSpan MemberHeightRefresh = TimeSpan.FromSeconds(5);

    private static async Task<JsonNode> ListAsync(KndNode node)
    {
        var result = await node.CliAsync("list", "--json");
        Assert.True(result.ExitCode == 0, result.Output);
        return JsonNode.Parse(result.Stdout)!;
    }

    [Fact]
    public async Task NoFailoverPassive_LeaderDies_NeverTakesTheLock()
    {
        var options = new ClusterOptions { Nodes = 2, NodeArguments = i => i == 1 ? ["--no-failover"] : [] };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes[1];
        Assert.Equal("node-0", leader.NodeId);
        await Eventually.HoldsAsync(async () => await cluster.MemberAsync("node-1") is { } record && JsonNode.Parse(record)?["no_failover"]?.GetValue<bool>() == true, "node-1's record to carry no_failover", cluster.Describe);

        var killedAt = TimeProvider.System.GetUtcNow();
        await leader.KillHostAsync();

        // Watch the passive for twice the time any failover would take: it stays a ready passive.
        var watchUntil = killedAt + (FailoverBound(options) * 2);
        while (TimeProvider.System.GetUtcNow() < watchUntil)
        {
            var status = await passive.StatusAsync();
            Assert.False(status?["is_leader"]?.GetValue<bool>() == true, $"the --no-failover node took the lock\n{cluster.Describe()}");
            await Task.Delay(Eventually.PollInterval * 5, TimeProvider.System, CancellationToken.None);
        }

        Assert.Equal("Voting", await passive.StateAsync());
        var ledger = cluster.AssertNoDoubleSign();
        Assert.DoesNotContain(ledger.Entries, e => e.Home == passive.Home.Dir);
    }

    [Fact]
    public async Task ReadyPassives_LeaderDies_TheHighestPriorityTakesTheLock_EveryTime()
    {
        // Two failovers, first among three ready passives, then two: by chance alone the right one would
        // win both only one time in six, so a broken priority rule fails this test most runs.
        int[] priorities = [1, 3, 5, 9];
        var options = new ClusterOptions { Nodes = 4, NodeArguments = i => ["--priority", priorities[i].ToString(System.Globalization.CultureInfo.InvariantCulture)] };
        await using var cluster = await KndCluster.StartAsync(options);
        int Priority(KndNode node) => priorities[cluster.Nodes.ToList().IndexOf(node)];
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var survivors = cluster.Nodes.Where(n => n != leader).ToList();
        while (survivors.Count >= 2)
        {
            var best = survivors.MaxBy(Priority)!;
            foreach (var node in survivors)
            {
                // A record not written yet, or a read that failed under load, is "not yet", not an error.
                await Eventually.HoldsAsync(async () => await cluster.MemberAsync(node.NodeId) is { } record && JsonNode.Parse(record)?["priority"]?.GetValue<int>() == Priority(node), $"{node.NodeId}'s record to carry its priority", cluster.Describe);
            }

            var killedAt = TimeProvider.System.GetUtcNow();
            await leader.KillHostAsync();
            var next = await cluster.WaitForSingleLeaderAsync(FailoverBound(options) + TimeSpan.FromSeconds(10), survivors);

            Assert.True(best == next, $"{next.NodeId} (priority {Priority(next)}) took the lock, not {best.NodeId} (priority {Priority(best)})\n{cluster.Describe()}");
            await cluster.WaitForSignatureAsync(next, killedAt, TimeSpan.FromSeconds(10));
            leader = next;
            survivors.Remove(next);
        }

        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task List_ThreeNodes_ShowsAllWithTheLeader_AndAKilledNodeTurnsStale_ThenRemovable()
    {
        var options = new ClusterOptions { Nodes = 3 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);

        var listed = await Eventually.UntilAsync<JsonNode>(
            async () =>
            {
                var result = await leader.CliAsync("list", "--json");
                var list = result.ExitCode == 0 ? JsonNode.Parse(result.Stdout) : null;
                return list?["members"]!.AsArray().Count(m => m!["alive"]!.GetValue<bool>()) == 3 ? list : null;
            },
            TimeSpan.FromSeconds(20),
            cluster.Describe);
        Assert.Equal(leader.NodeId, listed["leader"]!.GetValue<string>());
        Assert.False(listed["paused"]!.GetValue<bool>());
        var members = listed["members"]!.AsArray();
        Assert.Equal(["node-0", "node-1", "node-2"], members.Select(m => m!["node_id"]!.GetValue<string>()).Order());
        Assert.Equal(leader.NodeId, members.Single(m => m!["role"]!.GetValue<string>() == "leader")!["node_id"]!.GetValue<string>());

        // Every live record's renewal age stays below the refresh plus a renewal interval (slack for a
        // loaded machine), never near the staleness limit, sampled over two refreshes; the leader's
        // production watch finds the sim's blocks produced, a passive signs nothing.
        var limit = MemberHeightRefresh + options.SessionTtl + TimeSpan.FromSeconds(2);
        var sampleUntil = TimeProvider.System.GetUtcNow() + (MemberHeightRefresh * 2);
        var producing = false;
        while (TimeProvider.System.GetUtcNow() < sampleUntil || !producing)
        {
            var sample = await ListAsync(leader);
            foreach (var member in sample["members"]!.AsArray())
            {
                var age = member!["renewal_age_seconds"]?.GetValue<double>();
                Assert.True(age is { } seconds && seconds < limit.TotalSeconds, $"{member["node_id"]} renewal age {age?.ToString() ?? "null"} s, not below {limit.TotalSeconds} s: {sample.ToJsonString()}\n{cluster.Describe()}");
                Assert.True(DateTimeOffset.TryParse(member["renewed_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _), member.ToJsonString());
                Assert.False(member["stale"]!.GetValue<bool>(), member.ToJsonString());
                var production = member["production"]!.GetValue<string>();
                if (member["role"]!.GetValue<string>() == "leader")
                {
                    producing |= production == "producing";
                }
                else
                {
                    Assert.Equal("unknown", production);
                }
            }

            Assert.True(TimeProvider.System.GetUtcNow() < sampleUntil + TimeSpan.FromSeconds(30), $"the leader's production never read producing: {sample.ToJsonString()}\n{cluster.Describe()}");
            await Task.Delay(Eventually.PollInterval * 5, TimeProvider.System, CancellationToken.None);
        }

        var table = await leader.CliAsync("list");
        Assert.True(table.ExitCode == 0, table.Output);
        Assert.Matches(@"\bPRODUCTION\b.*\bRENEWED\s+SESSION\n", table.Stdout);
        Assert.Matches($@"(?m)^{leader.NodeId}\s+leader\s+Validating\s.*\sproducing\s.*\s\d+s\s+live$", table.Stdout);

        var refused = await leader.CliAsync("remove-member", leader.NodeId);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("holds the lock", refused.Output, StringComparison.Ordinal);

        var victim = cluster.Nodes.First(n => n != leader);
        await victim.KillHostAsync();
        var killedAt = TimeProvider.System.GetUtcNow();
        var stale = await Eventually.UntilAsync(
            async () =>
            {
                var result = await leader.CliAsync("list", "--json");
                var entry = result.ExitCode == 0 ? JsonNode.Parse(result.Stdout)!["members"]!.AsArray().FirstOrDefault(m => m!["node_id"]!.GetValue<string>() == victim.NodeId) : null;
                return entry is not null && entry["stale"]!.GetValue<bool>() && !entry["alive"]!.GetValue<bool>() ? entry : null;
            },
            (options.SessionTtl * 2) + TimeSpan.FromSeconds(5),
            () => $"{victim.NodeId} to be listed as stale within 2 x TTL\n{cluster.Describe()}");

        // Consul keeps the unlocked record: its renewal time stays where the dead knd left it, so its age grows.
        var staleAge = stale["renewal_age_seconds"]!.GetValue<double>();
        Assert.True(staleAge >= (TimeProvider.System.GetUtcNow() - killedAt).TotalSeconds - 1, stale.ToJsonString());
        Assert.Matches($@"(?m)^{victim.NodeId}\s+passive\s.*\s\d+s\s+gone \(stale\)$", (await leader.CliAsync("list")).Stdout);

        var removed = await leader.CliAsync("remove-member", victim.NodeId);
        Assert.True(removed.ExitCode == 0, removed.Output);
        await Eventually.HoldsAsync(
            async () => !(await leader.CliAsync("list", "--json")).Stdout.Contains($"\"{victim.NodeId}\"", StringComparison.Ordinal),
            $"{victim.NodeId} to be gone from knd list",
            cluster.Describe);
    }
}
