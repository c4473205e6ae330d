using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>Consul misbehaves under a running cluster: it loses its state, or spoils its answers.</summary>
[Collection(FailoverSecondCollection.Name)]
public sealed partial class ConsulFaultTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Well below the 30 s blocking wait (LockWatchWait) a watch that kept its old index would sit
    /// out, and above the watch's 0.5 s retry plus a loaded machine's slack.
    /// </summary>
    private static readonly TimeSpan PromptObservation = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task ConsulRestartedEmpty_EveryLockWatchSeesTheNewStateWithinSeconds()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2, StartNodes = false });

        // Consul's index grows well past what an empty server starts with before the lock is first
        // taken, so the lock key's index (which its watches wait on) is one a new server reaches late.
        for (var i = 0; i < 60; i++)
        {
            await cluster.Consul.PutAsync("unrelated/counter", i.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var node in cluster.Nodes)
        {
            await node.StartAsync();
        }

        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        var indexBefore = (await cluster.Consul.StateAsync())["raftIndex"]!.GetValue<ulong>();
        var linesBefore = cluster.Nodes.ToDictionary(n => n, n => n.Process!.Lines.Count);

        await cluster.Consul.RestartEmptyAsync();
        var restartedAt = TimeProvider.System.GetTimestamp();

        foreach (var node in new[] { passive, leader })
        {
            var line = await Eventually.UntilAsync(
                () => Task.FromResult(node.Process!.Lines.Skip(linesBefore[node]).FirstOrDefault(l => l.Contains("Lock watch works again", StringComparison.Ordinal))),
                PromptObservation,
                () => $"{node.NodeId}'s lock watch to read the restarted Consul ({TimeProvider.System.GetElapsedTime(restartedAt).TotalSeconds:0.#} s since the restart)\n{cluster.Describe()}");
            var index = ulong.Parse(ConsulIndex().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(index < indexBefore, $"{node.NodeId} observed index {index}, not the new server's (below {indexBefore}): {line}");
        }
    }

    [Fact]
    public async Task NullEntriesInRenewAndReads_AreFailedRequests_TheClusterStillFailsOver_AndStopsPromptly()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        // Each node's next renew, lock read and cluster read answer [null]: before the fix each threw
        // inside a fire-and-forget task, and renewals and both watches stopped for good, silently.
        // One each, so no leader misses more than one renewal (several in a row rightly fence it).
        foreach (var node in cluster.Nodes)
        {
            foreach (var op in new[] { "session_renew", "kv_get", "kv_list" })
            {
                await cluster.Consul.SpoilAsync(new JsonObject { ["mode"] = "null-entries", ["op"] = op, ["node"] = node.NodeId, ["count"] = 1 });
            }
        }

        // Renewals come every TTL/4; the watches block until something changes, which the failover does.
        await Eventually.HoldsAsync(async () => !await HasSpoilRuleAsync(cluster, null, "session_renew"), "each node's spoiled renewal", cluster.Describe);
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(10)));

        var killedAt = TimeProvider.System.GetUtcNow();
        await leader.KillHostAsync();
        await cluster.WaitForSingleLeaderAsync((options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromSeconds(10), [passive]);
        await cluster.WaitForSignatureAsync(passive, killedAt, TimeSpan.FromSeconds(10));
        cluster.AssertNoDoubleSign();
        await Eventually.HoldsAsync(async () => !await HasSpoilRuleAsync(cluster, passive.NodeId, null), "the passive's spoiled lock and cluster reads", cluster.Describe);
        await passive.Process!.WaitForLineAsync(l => l.Contains("null entry", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "null entry");

        var stopping = TimeProvider.System.GetTimestamp();
        passive.Signal(Libc.SigTerm);
        await passive.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(TimeProvider.System.GetElapsedTime(stopping) < TimeSpan.FromSeconds(8), $"SIGTERM took {TimeProvider.System.GetElapsedTime(stopping)}");
    }

    [Fact]
    public async Task LostSessionCreateAnswers_LeaveNoOrphans_ConsulEndsWithOneSessionPerNode()
    {
        // A TTL long enough that an orphan would outlive the test (2 x 15 s) unless knd destroys it.
        var options = new ClusterOptions { Nodes = 2, SessionTtl = TimeSpan.FromSeconds(15), StartNodes = false };
        await using var cluster = await KndCluster.StartAsync(options);
        foreach (var node in cluster.Nodes)
        {
            // Each create is applied by Consul; its answer is lost three ways, once each.
            await cluster.Consul.SpoilAsync(new JsonObject { ["modes"] = new JsonArray("reset", "null-entries", "garbage"), ["op"] = "session_create", ["node"] = node.NodeId, ["count"] = 3 });
        }

        foreach (var node in cluster.Nodes)
        {
            await node.StartAsync();
        }

        await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        Assert.Equal(6, (await cluster.Consul.StateAsync())["spoiledTotal"]!.GetValue<int>());

        // Well within the orphans' 30 s of life: the sweep runs at each node's first renewal (TTL/4).
        await Eventually.HoldsAsync(async () => await cluster.Consul.SessionCountAsync() == cluster.Nodes.Count, "Consul to hold one session per node", cluster.Describe, TimeSpan.FromSeconds(15));
        var sessions = new HashSet<string>();
        foreach (var node in cluster.Nodes)
        {
            sessions.Add((await node.StatusAsync())!["session_id"]!.GetValue<string>());
            Assert.Equal(3, node.Process!.Lines.Count(l => l.Contains("Destroyed orphan Consul session", StringComparison.Ordinal)));
        }

        Assert.Equal(sessions, await cluster.Consul.SessionIdsAsync());
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task WhileMemberWritesFail_TheRecordIsRetriedWithBackoff_AndLoggedOnceWithACount()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2, StartNodes = false });
        var node = cluster.Nodes[1];

        // Every answer to node-1's member writes is garbage (the write itself is applied), so knd never
        // learns that its record is published and keeps wanting to write it.
        await cluster.Consul.SpoilAsync(new JsonObject { ["mode"] = "garbage", ["op"] = "kv_acquire", ["pathPrefix"] = $"/v1/kv/{KndCluster.LockKey}/members/{node.NodeId}" });
        foreach (var each in cluster.Nodes)
        {
            await each.StartAsync();
        }

        await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await Eventually.HoldsAsync(async () => await MatchedAsync(cluster) > 0, "node-1's first member write", cluster.Describe);
        var firstAt = TimeProvider.System.GetTimestamp();
        await Eventually.HoldsAsync(() => TimeProvider.System.GetElapsedTime(firstAt) > TimeSpan.FromSeconds(12), "12 s of failing member writes");
        var writes = await MatchedAsync(cluster);

        // Backing off from 0.5 s to 10 s: at 0, 0.5, 1.5, 3.5 and 7.5 s (one more for a slow machine).
        // Retried on every loop event (a tick every 75 ms at this TTL) it was well over a hundred.
        Assert.InRange(writes, 4, 7);
        var lines = node.Process!.Lines.Where(l => l.Contains("member publish", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count(l => l.Contains("Consul: member publish failed:", StringComparison.Ordinal)) == 1, string.Join('\n', lines));
        Assert.True(lines.Count <= 3, string.Join('\n', lines));
        Assert.True(node.Process.Lines.Count(l => l.Contains("Consul kv_acquire failed", StringComparison.Ordinal)) <= 3, node.Diagnostics());
    }

    /// <summary>Whether a spoil rule for <paramref name="node"/> (any when null) and <paramref name="op"/> (any when null) is still waiting for its answer.</summary>
    private static async Task<bool> HasSpoilRuleAsync(KndCluster cluster, string? node, string? op) =>
        (await cluster.Consul.StateAsync())["spoilRules"]!.AsArray().Any(r =>
            (node is null || r!["node"]?.GetValue<string>() == node) && (op is null || r!["ops"]!.AsArray().Any(o => o!.GetValue<string>() == op)));

    private static async Task<int> MatchedAsync(KndCluster cluster) =>
        (await cluster.Consul.StateAsync())["spoilRules"]!.AsArray().Single()!["matched"]!.GetValue<int>();

    [GeneratedRegex(@"Consul index (\d+)")]
    private static partial Regex ConsulIndex();
}
