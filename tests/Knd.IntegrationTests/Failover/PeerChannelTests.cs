using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Knd.Configuration;
using Knd.IntegrationTests.Infrastructure;
using Knd.Peers;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Issue 14 with real processes: the authenticated peer channel, fast failover (a dead leader is
/// replaced in about one TTL, not two) and the failsafe (the leader signs through a Consul outage
/// only while every member promises; a partitioned leader still stops). The ledger judges.
/// </summary>
[Collection(FailoverSecondCollection.Name)]
public sealed class PeerChannelTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A distinctive secret, so the tests can prove it never shows in argv or the logs.</summary>
    private const string Secret = "7f3a9c1e5b2d48f6a0c3e9b7d1f5a2c87f3a9c1e5b2d48f6a0c3e9b7d1f5a2c8";

    /// <summary>
    /// TTL 5 s with --fast-failover: fence after 2 s, tick 125 ms, stop 0.5 s, kill confirm 250 ms, so the
    /// fence bound is 2.875 s and the lock-delay must be at least 3.375 s.
    /// </summary>
    private static ClusterOptions Peers(string secretFile, int nodes, bool fastFailover, bool failsafe, TimeSpan? ttl = null, TimeSpan? lockDelay = null) => new()
    {
        Nodes = nodes,
        SessionTtl = ttl ?? TimeSpan.FromSeconds(5),
        LockDelay = lockDelay ?? TimeSpan.FromSeconds(4),
        ExtraArguments =
        [
            "--peer-address", "127.0.0.1:0",
            "--cluster-secret-file", secretFile,
            "--fast-failover", fastFailover ? "true" : "false",
            "--failsafe", failsafe ? "true" : "false",
            "--leader-silence", "1s",
        ],
    };

    private static string WriteSecret(TempDirectory dir)
    {
        var path = Path.Combine(dir.Path, "cluster_secret");
        File.WriteAllText(path, Secret + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public async Task FastFailover_LeaderHostDies_PassiveLeadsWithinOneTtlPlusLockDelay_NoDoubleSign()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: true, failsafe: false);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForHeartbeatsAsync(cluster, leader);

        var killedAt = TimeProvider.System.GetTimestamp();
        await leader.KillHostAsync();
        var survivors = cluster.Nodes.Where(n => n != leader).ToList();
        var next = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(40), survivors);
        var took = TimeProvider.System.GetElapsedTime(killedAt);

        // Without the destroy, Consul frees the lock only after up to 2 x TTL + lock-delay = 14 s.
        var bound = options.SessionTtl + options.LockDelay;
        Assert.True(took < bound, $"a new leader after {took}; fast failover should need about silence + lock-delay + promotion = 6 s, bound {bound}\n{cluster.Describe()}");
        Assert.Contains(survivors, n => n.Process!.Lines.Any(l => l.Contains("Fast failover: destroying session", StringComparison.Ordinal)));
        await cluster.WaitForSignatureAsync(next, TimeProvider.System.GetUtcNow().AddSeconds(-1), TimeSpan.FromSeconds(10));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task FastFailover_LeaderCutOffFromConsul_StopsBeforeTheLockDelayEnds_NoDoubleSign()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 2, fastFailover: true, failsafe: true);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForHeartbeatsAsync(cluster, leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        var cutAt = TimeProvider.System.GetTimestamp();
        await cluster.Consul.BlackholeAsync(leader.NodeId, true);

        // The passive reaches Consul, so it refuses the failsafe promise: the leader fences as without the failsafe.
        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), options.SessionTtl + TimeSpan.FromSeconds(2), () => "the cut-off leader to stop its neard");
        Assert.True(TimeProvider.System.GetElapsedTime(cutAt) < options.SessionTtl, "the cut-off leader signed past its TTL");
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        await cluster.WaitForSignatureAsync(passive, TimeProvider.System.GetUtcNow().AddSeconds(-1), TimeSpan.FromSeconds(10));
        await passive.Process!.WaitForLineAsync(l => l.Contains("Fast failover: destroying session", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "Fast failover: destroying session");

        await cluster.Consul.BlackholeAsync(leader.NodeId, false);
        Assert.Same(passive, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60)));
        cluster.AssertNoDoubleSign();
    }

    /// <summary>
    /// Consul comes back empty while the leader is cut off from it: the leader cannot hear the 404 and
    /// signs until its fence, while the passives see the lock key missing at once. With fast failover
    /// they hold off the lock-delay (which covers that fence), not TTL + lock-delay.
    /// </summary>
    [Fact]
    public async Task FastFailover_ConsulBackEmptyWhileTheLeaderIsCutOff_PassivesHoldOffOnlyTheLockDelay_NoDoubleSign()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: true, failsafe: false);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForHeartbeatsAsync(cluster, leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();
        var passives = cluster.Nodes.Where(n => n != leader).ToList();

        await cluster.Consul.BlackholeAsync(leader.NodeId, true);
        await cluster.Consul.RestartEmptyAsync(blackholed: [leader.NodeId]);

        // Watch the passives' hold-off until one of them leads: it shows, and never above the lock-delay.
        var longest = 0.0;
        await Eventually.UntilAsync(
            async () =>
            {
                foreach (var passive in passives)
                {
                    longest = Math.Max(longest, Sample(await MetricsAsync(passive), "knd_lock_holdoff_seconds"));
                }

                return (await Task.WhenAll(passives.Select(p => p.IsLeaderAsync()))).Any(led => led);
            },
            TimeSpan.FromSeconds(40),
            cluster.Describe);
        Assert.False(leader.NeardAlive(neardPid), "the cut-off leader's neard still runs while a passive leads");
        cluster.AssertNoDoubleSign();
        Assert.True(longest > 0, "no passive showed a hold-off after Consul came back empty");
        Assert.True(longest <= options.LockDelay.TotalSeconds, $"a passive held off {longest} s, above the lock-delay ({options.LockDelay.TotalSeconds} s)");

        var next = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(20), passives);
        await cluster.WaitForSignatureAsync(next, TimeProvider.System.GetUtcNow().AddSeconds(-1), TimeSpan.FromSeconds(10));
        await cluster.Consul.BlackholeAsync(leader.NodeId, false);
        Assert.Same(next, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30)));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task FastFailover_PassiveBackFromAPartition_SeesTheNewLeaderAtOnce_AndDestroysItsSessionWhenItDies()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 2, fastFailover: true, failsafe: false);
        await using var cluster = await KndCluster.StartAsync(options);
        var first = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForHeartbeatsAsync(cluster, first);
        var second = cluster.Nodes.Single(n => n != first);

        // Cut the leader off. The passive destroys its session; that answers the old leader's blocking
        // watch, and the next one it sends goes into the partition, where it hangs for the whole wait (30 s).
        await cluster.Consul.BlackholeAsync(first.NodeId, true);
        await Eventually.UntilAsync(async () => await second.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        await cluster.Consul.BlackholeAsync(first.NodeId, false);
        await WaitForHeartbeatsAsync(cluster, second);

        // The old leader, a passive again, can destroy the new leader's session only if its watch shows
        // that session: a watch still hanging in the healed partition would show the old state.
        await second.KillHostAsync();
        await first.Process!.WaitForLineAsync(
            l => l.Contains("Fast failover: destroying session", StringComparison.Ordinal) && l.Contains($"of leader {second.NodeId}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            $"the destroy of {second.NodeId}'s session");
        await first.Process!.WaitForLineAsync(l => l.Contains("Consul answers again after a request could not reach it", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the watch restart");
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Failsafe_ConsulLeaderless_LeaderSignsThroughWhileEveryPeerPromises_SameLeaderAfter()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: false, failsafe: true, ttl: TimeSpan.FromSeconds(3), lockDelay: TimeSpan.FromSeconds(1));
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForMembersAsync(cluster, leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        await cluster.Consul.NoLeaderAsync(true);
        var outageStart = TimeProvider.System.GetUtcNow();

        // Without the failsafe this leader's neard is dead within the TTL (3 s); with it, it signs on.
        await Eventually.UntilAsync(async () => (await leader.StatusAsync())?["peers"]?["failsafe_covered"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(10), cluster.Describe);
        var late = outageStart + (options.SessionTtl * 3);
        await cluster.WaitForSignatureAsync(leader, late, TimeSpan.FromSeconds(15));
        Assert.True(leader.NeardAlive(neardPid), "the leader's neard was stopped during the outage");
        foreach (var node in cluster.Nodes.Where(n => n != leader))
        {
            Assert.False(await node.IsLeaderAsync(), $"{node.NodeId} leads during the outage");
        }

        Assert.Contains("knd_failsafe_covered 1", await MetricsAsync(leader), StringComparison.Ordinal);

        await cluster.Consul.NoLeaderAsync(false);
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(neardPid, (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>());
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Failsafe_ConsulDownThenBackEmpty_LeaderSignsThroughAndTakesTheLockBack()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: false, failsafe: true, ttl: TimeSpan.FromSeconds(3), lockDelay: TimeSpan.FromSeconds(1));
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForMembersAsync(cluster, leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        // Consul gone for four TTLs (every member promises: none reaches it), then back without any session or key.
        var downAt = TimeProvider.System.GetUtcNow();
        await cluster.Consul.RestartEmptyAsync(downFor: options.SessionTtl * 4);
        await cluster.WaitForSignatureAsync(leader, downAt + (options.SessionTtl * 3), TimeSpan.FromSeconds(10));

        // The leader takes the lost lock back with a new session; the members' hold-off keeps them out meanwhile.
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30)));
        await Eventually.UntilAsync(async () => (await leader.StatusAsync())?["peers"]?["reanchoring"]?.GetValue<bool>() == false, TimeSpan.FromSeconds(10), cluster.Describe);
        foreach (var node in cluster.Nodes)
        {
            await Eventually.UntilAsync(async () => (await node.StatusAsync())?["leader_node_id"]?.GetValue<string>() == leader.NodeId, TimeSpan.FromSeconds(10), cluster.Describe);
        }

        var pidAfter = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();
        Assert.True(neardPid == pidAfter, $"the leader's neard was restarted ({neardPid} -> {pidAfter})\n{leader.Process!.Tail(200)}");
        Assert.True(leader.NeardAlive(neardPid), "the leader's neard was stopped");
        cluster.AssertNoDoubleSign();
    }

    /// <summary>
    /// Every member cut off from a Consul that itself runs: the leader's session expires on schedule
    /// and only the promises keep the members out. A knd started on a new host then reaches Consul and
    /// finds the lock free; the leader never saw it, so no promise binds it. The failsafe member list
    /// in the leader's record keeps it out until the leader, back on Consul, lists it.
    /// </summary>
    [Fact]
    public async Task Failsafe_NewHostStartedWhileEveryMemberIsCutOff_StaysOffTheLockWhileTheLeaderSigns_NoDoubleSign()
    {
        using var dir = new TempDirectory();
        // A black hole answers nothing: each member's Consul probe takes its whole 300 ms before it may
        // promise. At a 3 s TTL that left the leader about 300 ms before FenceAfter for every round trip,
        // which a loaded CI host missed once; 6 s leaves about 900 ms (10 s, the default: 1.7 s).
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: false, failsafe: true, ttl: TimeSpan.FromSeconds(6), lockDelay: TimeSpan.FromSeconds(1)) with { StartNodes = false };
        await using var cluster = await KndCluster.StartAsync(options);
        KndNode[] members = [cluster.Nodes[0], cluster.Nodes[1]];
        var newcomer = cluster.Nodes[2];
        foreach (var member in members)
        {
            await member.StartAsync();
        }

        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout, members);
        await Eventually.UntilAsync(
            async () => (await leader.StatusAsync())?["peers"] is { } peers && peers["failsafe_members_published"]?.GetValue<bool>() == true
                && peers["failsafe_members"]!.AsArray().Count == 2,
            TimeSpan.FromSeconds(20),
            cluster.Describe);

        foreach (var member in members)
        {
            await cluster.Consul.BlackholeAsync(member.NodeId, true);
        }

        await Eventually.UntilAsync(async () => (await leader.StatusAsync())?["peers"]?["failsafe_covered"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(10), cluster.Describe);
        await Eventually.UntilAsync(async () => await cluster.Consul.LockHolderAsync(KndCluster.LockKey) is null, options.SessionTtl * 3, () => "Consul to expire the cut-off leader's session");

        await newcomer.StartAsync();
        await newcomer.Process!.WaitForLineAsync(
            l => l.Contains("Failsafe member list: not taking the lock", StringComparison.Ordinal) && l.Contains(leader.NodeId, StringComparison.Ordinal),
            TimeSpan.FromSeconds(40),
            "the new host to refuse the lock");

        // Past its start-up wait and the lock-delay, on a free lock: the leader still signs, the newcomer does not.
        await cluster.WaitForSignatureAsync(leader, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(10));
        Assert.False(await newcomer.IsLeaderAsync(), $"the new host leads beside the failsafe leader\n{cluster.Describe()}");
        cluster.AssertNoDoubleSign();

        foreach (var member in members)
        {
            await cluster.Consul.BlackholeAsync(member.NodeId, false);
        }

        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(30)));
        await Eventually.UntilAsync(
            async () => (await leader.StatusAsync())?["peers"]?["failsafe_members"]?.AsArray().Any(n => n!.GetValue<string>() == newcomer.NodeId) == true,
            TimeSpan.FromSeconds(20),
            () => "the leader to list the new host once it sees its record\n" + cluster.Describe());
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task Failsafe_OnePeerDown_ConsulLeaderless_LeaderFencesAsWithoutIt()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 3, fastFailover: false, failsafe: true, ttl: TimeSpan.FromSeconds(3), lockDelay: TimeSpan.FromSeconds(1));
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        await WaitForMembersAsync(cluster, leader);
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();

        // A member that cannot be reached cannot promise: no failsafe.
        await cluster.Nodes.First(n => n != leader).KillHostAsync();
        var cutAt = TimeProvider.System.GetTimestamp();
        await cluster.Consul.NoLeaderAsync(true);

        await Eventually.UntilAsync(() => !leader.NeardAlive(neardPid), options.SessionTtl + TimeSpan.FromSeconds(2), () => "the leader to stop validating without every promise");
        Assert.True(TimeProvider.System.GetElapsedTime(cutAt) < options.SessionTtl + TimeSpan.FromSeconds(1), "the leader signed on without every member's promise");

        await cluster.Consul.NoLeaderAsync(false);
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60), cluster.Nodes.Where(n => n.Process is { HasExited: false }));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task PeerPort_UnsignedForgedOrReplayedRequests_Get401AndChangeNothing_SecretNeverInArgvOrLogs()
    {
        using var dir = new TempDirectory();
        var options = Peers(WriteSecret(dir), nodes: 2, fastFailover: true, failsafe: true);
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(ElectionTimeout);
        var passive = cluster.Nodes.Single(n => n != leader);
        var address = await PeerAddressAsync(cluster, passive);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var uri = new Uri($"http://{address}{PeerWire.PromisePath}");
        var body = Encoding.UTF8.GetBytes("{\"session_id\":\"forged\",\"duration_ms\":60000}");

        // No headers at all.
        Assert.Equal(401, await PostAsync(http, uri, body, null));

        // Signed with another secret.
        var outsider = new PeerAuth(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes(new string('x', 64))), leader.NodeId, TimeProvider.System);
        Assert.Equal(401, await PostAsync(http, uri, body, outsider.SignRequest("POST", PeerWire.PromisePath, passive.NodeId, body)));

        // Signed with the real secret: answered once (refused: this member reaches Consul), then a replay gets 401.
        var insider = new PeerAuth(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes(Secret)), leader.NodeId, TimeProvider.System);
        var shortBody = Encoding.UTF8.GetBytes("{\"session_id\":\"s\",\"duration_ms\":1000}");
        var headers = insider.SignRequest("POST", PeerWire.PromisePath, passive.NodeId, shortBody);
        Assert.Equal(200, await PostAsync(http, uri, shortBody, headers));
        Assert.Equal(401, await PostAsync(http, uri, shortBody, headers));

        var metrics = await MetricsAsync(passive);
        Assert.Contains("knd_peer_rejected_total{reason=\"malformed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("knd_peer_rejected_total{reason=\"bad_signature\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("knd_peer_rejected_total{reason=\"replayed\"} 1", metrics, StringComparison.Ordinal);
        // Only the start-up wait of a failsafe knd (one promise duration, 10 s) may show: no promise was given.
        Assert.True((await passive.StatusAsync())!["peers"]!["promised_for_ms"]?.GetValue<long>() is null or <= 10_000, cluster.Describe());
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(10)));

        // The exporter port does not serve the peer routes.
        using var onExporter = await http.PostAsync(new Uri(passive.Exporter!, PeerWire.PromisePath.TrimStart('/')), new ByteArrayContent(body));
        Assert.NotEqual(200, (int)onExporter.StatusCode);

        foreach (var node in cluster.Nodes)
        {
            var cmdline = await File.ReadAllTextAsync($"/proc/{node.Process!.Pid}/cmdline");
            Assert.DoesNotContain(Secret, cmdline, StringComparison.Ordinal);
            Assert.DoesNotContain(node.Process.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task PeerAddressInUse_Exits78NamingTheOption()
    {
        using var dir = new TempDirectory();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var options = new ClusterOptions
        {
            Nodes = 1,
            StartNodes = false,
            ExtraArguments = ["--peer-address", $"127.0.0.1:{port}", "--cluster-secret-file", WriteSecret(dir), "--failsafe"],
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];

        var process = node.StartWrapped("env");
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(78, code);
        Assert.Contains(process.Lines, l => l.StartsWith("knd run: --peer-address: cannot listen on", StringComparison.Ordinal));
    }

    /// <summary>The passives have taken a heartbeat from the leader (a leader never heard from is left to its TTL).</summary>
    private static async Task WaitForHeartbeatsAsync(KndCluster cluster, KndNode leader)
    {
        await WaitForMembersAsync(cluster, leader);
        // A few heartbeats to every member, so each has seen one for the current session.
        var wanted = 4 * (cluster.Nodes.Count - 1);
        await Eventually.UntilAsync(async () => Sample(await MetricsAsync(leader), "knd_peer_requests_total{route=\"heartbeat\",outcome=\"ok\"}") >= wanted, TimeSpan.FromSeconds(20), cluster.Describe);
    }

    /// <summary>A sample's value in an exposition (0 when the series is absent).</summary>
    private static double Sample(string metrics, string series)
    {
        var prefix = series + " ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every node published its peer address and the leader knows every member.</summary>
    private static async Task WaitForMembersAsync(KndCluster cluster, KndNode leader)
    {
        foreach (var node in cluster.Nodes)
        {
            await Eventually.UntilAsync(async () => await PeerAddressAsync(cluster, node) is not null, TimeSpan.FromSeconds(20), cluster.Describe);
        }

        var count = cluster.Nodes.Count;
        await Eventually.UntilAsync(
            () => leader.Process!.Lines.Any(l => l.Contains("Cluster members for the failsafe:", StringComparison.Ordinal) && l.Split(',').Length == count),
            TimeSpan.FromSeconds(20),
            cluster.Describe);

        // A failsafe leader is covered only once its record shows the member list: an outage that
        // begins before that write lands is one it fences for (a CI run killed Consul 0.3 s into a tenure).
        if ((await leader.StatusAsync())?["peers"]?["failsafe"]?.GetValue<bool>() == true)
        {
            await Eventually.UntilAsync(
                async () => (await leader.StatusAsync())?["peers"] is { } peers && peers["failsafe_members_published"]?.GetValue<bool>() == true
                    && peers["failsafe_members"]?.AsArray().Count == count,
                TimeSpan.FromSeconds(20),
                cluster.Describe);
        }
    }

    private static async Task<string?> PeerAddressAsync(KndCluster cluster, KndNode node) =>
        await cluster.MemberAsync(node.NodeId) is { } json ? JsonNode.Parse(json)?["peer_address"]?.GetValue<string>() : null;

    private static async Task<string> MetricsAsync(KndNode node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri(node.Exporter!, "metrics"));
    }

    private static async Task<int> PostAsync(HttpClient http, Uri uri, byte[] body, PeerRequestHeaders? headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (headers is not null)
        {
            request.Headers.Add(PeerWire.FromHeader, headers.From);
            request.Headers.Add(PeerWire.ToHeader, headers.To);
            request.Headers.Add(PeerWire.TimestampHeader, headers.Timestamp);
            request.Headers.Add(PeerWire.NonceHeader, headers.Nonce);
            request.Headers.Add(PeerWire.SignatureHeader, headers.Signature);
        }

        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
