using System.Globalization;
using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;
using Knd.IntegrationTests.NeardSim;
using NeardSim.Chain;

namespace Knd.IntegrationTests.Failover;

/// <summary>The control CLI against a real cluster: status, active-validator, pause, switchover, maintenance.</summary>
[Collection(FailoverCollection.Name)]
public sealed class OperatorTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StatusAndActiveValidator_ReportTheLeaderInTheContractShape()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        var status = await passive.CliAsync("status", "--json");
        var active = await passive.CliAsync("active-validator", "--json");
        var human = await leader.CliAsync("status");

        Assert.Equal(0, status.ExitCode);
        var json = JsonNode.Parse(status.Stdout)!.AsObject();
        foreach (var field in new[] { "node_id", "account_id", "state", "is_leader", "leader_node_id", "neard_pid", "block_height", "syncing", "session_id", "last_renew_age_ms", "fencing_index", "paused" })
        {
            Assert.True(json.ContainsKey(field), $"knd status --json lacks {field}: {status.Stdout}");
        }

        Assert.Equal("Voting", json["state"]!.GetValue<string>());
        Assert.Equal(leader.NodeId, json["leader_node_id"]!.GetValue<string>());
        Assert.Equal(0, active.ExitCode);
        Assert.Equal(leader.NodeId, JsonNode.Parse(active.Stdout)!["node_id"]!.GetValue<string>());
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("Validating", human.Stdout, StringComparison.Ordinal);

        // --promotion hot-swap: knd wrote shadow tracking into the passive's config.json before its neard started.
        var tracking = json["tracking"]!;
        Assert.Equal(KndCluster.Account, tracking["tracked_shards_config"]?["ShadowValidator"]?.GetValue<string>());
        Assert.True(tracking["load_mem_tries_for_tracked_shards"]!.GetValue<bool>());
        Assert.True(tracking["written_by_knd"]!.GetValue<bool>());
        Assert.Matches(@"(?m)^tracking\s+tracked_shards_config \{""ShadowValidator"":""validator.test""\}, load_mem_tries_for_tracked_shards true \(written by knd", (await passive.CliAsync("status")).Stdout);
    }

    [Fact]
    public async Task Paused_LeaderDies_NobodyTakesOver_UntilResumed()
    {
        var options = new ClusterOptions { Nodes = 2 };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        // The answer waits for the node's own view, so its status agrees at once.
        Assert.Equal(0, (await passive.CliAsync("pause")).ExitCode);
        Assert.True((await passive.StatusAsync())?["paused"]?.GetValue<bool>(), "knd status right after knd pause says not paused");
        Assert.Equal(1, await ScrapeAsync(passive, "knd_paused"));
        await leader.KillHostAsync();

        var until = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(until) < (options.SessionTtl * 2) + options.LockDelay + TimeSpan.FromSeconds(3))
        {
            Assert.False(await passive.IsLeaderAsync(), "a paused cluster failed over");
            await Task.Delay(Eventually.PollInterval, TimeProvider.System);
        }

        Assert.Equal(0, (await passive.CliAsync("resume")).ExitCode);
        Assert.False((await passive.StatusAsync())?["paused"]?.GetValue<bool>(), "knd status right after knd resume says paused");
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(20), cluster.Describe);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Switchover_ToANamedPassive_HandsOverInsideADutyFreeWindow_MissingNoDuty()
    {
        // The handover budget at TTL 3 s (worst-case stop + 1 s) needs about 21 duty-free 100 ms blocks:
        // 5% duties make such windows common, so the test does not wait for the next epoch.
        var options = new ClusterOptions { Nodes = 3, Home = (_, home) => home with { DutyPercent = 5 } };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var target = cluster.Nodes.First(n => n != leader);

        // Every passive publishes itself as a member once it votes; wait until the target shows ready.
        await Eventually.UntilAsync(async () => (await cluster.MemberAsync(target.NodeId))?.Contains("\"state\":\"Voting\"", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(20), cluster.Describe);
        var started = TimeProvider.System.GetUtcNow();
        var wait = await leader.CliAsync("switchover", "--to", target.NodeId, "--wait", "--json");
        Assert.True(wait.ExitCode == 0, wait.Output);
        await Eventually.UntilAsync(async () => await target.IsLeaderAsync(), TimeSpan.FromSeconds(60), cluster.Describe);
        var finished = TimeProvider.System.GetUtcNow();
        var released = (await cluster.WaitForSignatureAsync(target, started, TimeSpan.FromSeconds(10))).Time;

        Assert.Contains("done", wait.Stdout, StringComparison.Ordinal);
        Assert.Same(target, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60)));
        var ledger = cluster.AssertNoDoubleSign();
        // The handover's cost: duty heights after the old leader's last signature. One it skipped
        // while still signing later heights is neard-sim's own tick falling behind 100 ms blocks on a
        // loaded runner, not knd's doing.
        var lastOld = ledger.Entries.Where(e => e.Home == leader.Home.Dir && e.Time >= started).Select(e => (long?)e.Height).Max();
        var missed = MissedDuties(ledger, started, finished.AddSeconds(1), cluster).Where(h => lastOld is null || h > lastOld).ToList();
        Assert.True(missed.Count == 0, $"missed duty heights {string.Join(", ", missed)}; the old leader last signed {lastOld}, the target first at {released}");
        Assert.True(released > started, "the target signed after the switchover started");
    }

    [Fact]
    public async Task Switchover_WaitingForAWindow_SaysSo_RefusesASecondRequest_AndIsCancelled()
    {
        // Every height a duty: no duty-free window ever comes, so the switchover waits until cancelled.
        var options = new ClusterOptions { Nodes = 2, Home = (_, home) => home with { DutyPercent = 100 } };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => (await cluster.MemberAsync(passive.NodeId))?.Contains("\"state\":\"Voting\"", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(20), cluster.Describe);

        var dry = await leader.CliAsync("switchover", "--dry-run", "--json");
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("\"phase\":\"dry-run\"", dry.Stdout, StringComparison.Ordinal);

        var first = await leader.CliAsync("switchover", "--to", passive.NodeId, "--json");
        Assert.True(first.ExitCode == 0, first.Output);

        // Any further request (a dry run too) is refused with the waiting one's details, which show the leader's progress.
        await Eventually.UntilAsync(
            async () => (await passive.CliAsync("switchover", "--dry-run")).Output.Contains("no duty-free window", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            cluster.Describe);

        var second = await passive.CliAsync("switchover");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"({leader.NodeId} -> {passive.NodeId}, requested by {leader.NodeId}", second.Output, StringComparison.Ordinal);
        Assert.Contains("is already waiting-for-window", second.Output, StringComparison.Ordinal);

        var cancel = await passive.CliAsync("switchover", "--cancel", "--json");
        Assert.True(cancel.ExitCode == 0, cancel.Output);
        Assert.Contains("\"phase\":\"cancelled\"", cancel.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await passive.CliAsync("switchover", "--cancel")).ExitCode);

        // The leader stops acting on it: still the leader, and a new request is accepted.
        Assert.True(await leader.IsLeaderAsync());
        var again = await leader.CliAsync("switchover", "--dry-run");
        Assert.True(again.ExitCode == 0, again.Output);
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Switchover_WithNoSyncedPassive_IsRefusedClearly()
    {
        var options = new ClusterOptions { Nodes = 2, Home = (index, home) => index == 1 ? home with { SyncMs = 600_000 } : home };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout, [cluster.Nodes[0]]);

        var refused = await leader.CliAsync("switchover");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no synced, healthy passive", refused.Output, StringComparison.Ordinal);
        Assert.True(await leader.IsLeaderAsync());
    }

    [Fact]
    public async Task MaintenanceShutdown_OnTheLeader_HandsOverAtTheHeightWithoutTtlWait_AndExits()
    {
        var options = new ClusterOptions { Nodes = 2, SessionTtl = TimeSpan.FromSeconds(10), LockDelay = TimeSpan.FromSeconds(5), LockKeyFromEarlierLeader = true };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        var scheduled = await leader.CliAsync("maintenance-shutdown", "--json");
        Assert.True(scheduled.ExitCode == 0, scheduled.Output);
        var height = JsonNode.Parse(scheduled.Stdout)!["shutdown_at"]!.GetValue<long>();
        // A window that starts at the head can be over before the next CLI process is up: then the
        // status already reads nothing scheduled (or the daemon is gone), and the exit below decides.
        var status = await leader.CliAsync("maintenance-status", "--json");
        if (status.ExitCode == 0 && JsonNode.Parse(status.Stdout)?["shutdown_at"] is { } statusHeight)
        {
            Assert.Equal(height, statusHeight.GetValue<long>());
        }

        // neard stops itself at the height; the lock is released, not left to expire (TTL 10 s + lock-delay 5 s).
        Assert.Equal(0, await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var exitedAt = TimeProvider.System.GetTimestamp();
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        Assert.True(TimeProvider.System.GetElapsedTime(exitedAt) < options.SessionTtl, "the passive waited for the TTL");

        var ledger = cluster.AssertNoDoubleSign();
        Assert.DoesNotContain(ledger.Entries, e => e.Home == leader.Home.Dir && e.Height >= height);
    }

    [Fact]
    public async Task MaintenanceShutdown_Cancelled_KeepsTheLeaderSigning()
    {
        // A long epoch and a window at least 15 s ahead: the cancel must come before neard reaches the
        // height, and the largest window of a short epoch can start at the head (seen under load).
        var options = new ClusterOptions { Nodes = 1, Home = (_, home) => home with { EpochLength = 3000, WindowsFormat = "object" } };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        using var rpc = new SimRpc(leader.Home.RpcUrl);
        var (_, body) = await rpc.PostAsync(
            """{"jsonrpc":"2.0","method":"maintenance_windows","params":{"account_id":"validator.test"},"id":1}""", TimeSpan.FromSeconds(5));
        var head = (await rpc.StatusAsync())!.Value.GetProperty("sync_info").GetProperty("latest_block_height").GetInt64();
        var window = body.GetProperty("result").EnumerateArray().Select(w => w.GetProperty("start").GetInt64()).First(start => start >= head + 150);

        var scheduled = await leader.CliAsync("maintenance-shutdown", "--shutdown-at", window.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(scheduled.ExitCode == 0, scheduled.Output);
        var height = JsonNode.Parse(scheduled.Stdout)!["shutdown_at"]!.GetValue<long>();
        Assert.Equal(window, height);
        var cancelled = await leader.CliAsync("maintenance-shutdown", "--cancel");

        Assert.True(cancelled.ExitCode == 0, $"exit {cancelled.ExitCode}: {cancelled.Output}\n{leader.Diagnostics()}");
        Assert.Contains("shutdown cancelled", cancelled.Output, StringComparison.Ordinal);
        await Eventually.UntilAsync(
            () => Task.FromResult(LedgerReader.Read(cluster.LedgerPath).Entries.Any(e => e.Height > height)),
            TimeSpan.FromSeconds(60),
            cluster.Describe);
        Assert.True(await leader.IsLeaderAsync());
    }

    [Fact]
    public async Task MaintenanceRestart_OnAPassive_RestartsItsNeardAndRejoins()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        var before = (await passive.StatusAsync())!["neard_pid"]!.GetValue<int>();

        var restart = await passive.CliAsync("maintenance-restart");

        Assert.True(restart.ExitCode == 0, restart.Output);
        await Eventually.UntilAsync(
            async () => (await passive.StatusAsync()) is { } s && s["neard_pid"]?.GetValue<int>() is { } pid && pid != before && s["state"]!.GetValue<string>() == "Voting",
            TimeSpan.FromSeconds(30),
            cluster.Describe);
        Assert.True(await leader.IsLeaderAsync());
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task MaintenanceShutdown_OnAPassive_AnswersOnceTheLoopTookIt_AndExits()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);

        // The answer waits for the loop to take the request, while the same request makes knd exit.
        var shutdown = await passive.CliAsync("maintenance-shutdown");

        Assert.True(shutdown.ExitCode == 0, shutdown.Output);
        Assert.Contains("passive", shutdown.Output, StringComparison.Ordinal);
        Assert.Equal(0, await passive.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await leader.IsLeaderAsync());
        cluster.AssertNoDoubleSign();
    }

    private static List<long> MissedDuties(LedgerSnapshot ledger, DateTimeOffset from, DateTimeOffset to, KndCluster cluster)
    {
        var home = cluster.Nodes[0].Home.Options;
        var genesis = home.GenesisTime!.Value;
        var schedule = new DutySchedule(home.DutySeed, home.DutyPercent);
        var first = (long)((from - genesis).TotalMilliseconds / home.BlockIntervalMs) + 1;
        var last = (long)((to - genesis).TotalMilliseconds / home.BlockIntervalMs) - 1;
        var signed = ledger.HeightsOf(KndCluster.Account).ToHashSet();
        var missed = new List<long>();
        for (var h = first; h <= last; h++)
        {
            if (schedule.HasDuty(KndCluster.Account, h) && !signed.Contains(h))
            {
                missed.Add(h);
            }
        }

        return missed;
    }

    private static async Task<double> ScrapeAsync(KndNode node, string metric)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(node.Exporter!, "metrics"));
        var line = text.Split('\n').First(l => l.StartsWith(metric + " ", StringComparison.Ordinal));
        return double.Parse(line[(metric.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
