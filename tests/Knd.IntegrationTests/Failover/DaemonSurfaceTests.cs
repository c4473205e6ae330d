using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>What knd shows the service manager, the log and Prometheus, and what it keeps secret.</summary>
[Collection(FailoverSecondCollection.Name)]
public sealed class DaemonSurfaceTests
{
    private const string Token = "s3cr3t-acl-token-91c2";

    [Fact]
    public async Task UnderSystemd_NotifiesReadyStatusWatchdogAndStopping_AndStopsPingingWhenFrozen()
    {
        using var dir = new TempDirectory();
        var socketPath = Path.Combine(dir.Path, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var options = new ClusterOptions
        {
            Nodes = 1,
            Environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "800000" },
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];
        var received = new List<string>();

        await ReceiveUntilAsync(socket, received, r => r.Contains("READY=1") && r.Contains("STATUS=Validating") && r.Count(m => m == "WATCHDOG=1") >= 3, TimeSpan.FromSeconds(60));
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            Assert.Contains("\nknd_watchdog_enabled 1\n", await http.GetStringAsync(new Uri(node.Exporter!, "metrics")), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(node.Process!.Lines, l => l.Contains("No service-manager watchdog", StringComparison.Ordinal));

        node.Signal(Libc.SigStop);
        try
        {
            // Pings sent before the stop may still sit in the socket: drain them first.
            await CountPingsAsync(socket, TimeSpan.FromMilliseconds(300));
            // A frozen loop must stop feeding the watchdog: no ping for well over the 0.8 s interval.
            var silence = await CountPingsAsync(socket, TimeSpan.FromSeconds(2.5));
            Assert.Equal(0, silence);
        }
        finally
        {
            node.Signal(Libc.SigCont);
        }

        await ReceiveUntilAsync(socket, received, r => r.Count(m => m == "WATCHDOG=1") >= 5, TimeSpan.FromSeconds(10));
        node.Signal(Libc.SigTerm);
        await ReceiveUntilAsync(socket, received, r => r.Contains("STOPPING=1"), TimeSpan.FromSeconds(20));
        Assert.Equal(0, await node.Process!.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(received.IndexOf("READY=1") < received.IndexOf("STOPPING=1"));
    }

    [Fact]
    public async Task StartedUnderNohup_WithHotSwap_RefusesWithExit78_InsteadOfAPromotionThatNeverLands()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1, StartNodes = false });
        var process = cluster.Nodes[0].StartWrapped("nohup");

        Assert.Equal(78, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(process.Lines, l => l.Contains("--promotion hot-swap: SIGHUP is ignored", StringComparison.Ordinal));
        Assert.DoesNotContain(process.Lines, l => l.Contains("neard started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongTokenFixedAndSighup_KndRereadsTheTokenFileAndLeads()
    {
        var options = new ClusterOptions { Nodes = 1, AclToken = Token, ClientToken = "not-the-token" };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];
        await node.Process!.WaitForLineAsync(l => l.Contains("PermissionDenied", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a 403 report");

        await File.WriteAllTextAsync(node.TokenFile!, Token + "\n");
        node.Signal(Libc.SigHup);

        await Eventually.UntilAsync(async () => await node.IsLeaderAsync(), TimeSpan.FromSeconds(30), cluster.Describe);
        Assert.Contains(node.Process.Lines, l => l.Contains("token file re-read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFullRunWithFailover_NeverLogsTheTokenOrKeyMaterial_AndItsMetricsPassPromtool()
    {
        var options = new ClusterOptions { Nodes = 2, AclToken = Token, ExtraArguments = ["--log-format", "json"] };
        await using var cluster = await KndCluster.StartAsync(options);
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var metrics = await new HttpClient().GetStringAsync(new Uri(leader.Exporter!, "metrics"));
        leader.Signal(Libc.SigTerm);
        await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var passive = cluster.Nodes.Single(n => n != leader);
        await Eventually.UntilAsync(async () => await passive.IsLeaderAsync(), TimeSpan.FromSeconds(20), cluster.Describe);

        var secrets = new List<string> { Token };
        foreach (var node in cluster.Nodes)
        {
            foreach (var keyFile in Directory.GetFiles(node.CredentialsDir).Append(Path.Combine(node.Home.Dir, "voter_node_key.json")).Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
            {
                secrets.Add(JsonNode.Parse(await File.ReadAllTextAsync(keyFile))!["secret_key"]!.GetValue<string>());
            }
        }

        var nodeLines = cluster.Nodes.SelectMany(n => n.History).SelectMany(p => p.Lines).ToList();
        var everything = string.Join('\n', nodeLines.Concat(cluster.Consul.Process.Lines));
        Assert.True(everything.Length > 1000, "the run logged almost nothing; the check would prove nothing");
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
        }

        // --log-format json: every line knd itself wrote is one JSON object, whole, even though its
        // neard writes to the same stderr pipe at the same time.
        var kndLines = nodeLines.Where(l => l.Contains("{\"Timestamp\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(kndLines);
        Assert.All(kndLines, l => Assert.NotNull(JsonNode.Parse(l)!["MessageTemplate"]));

        var check = await PromtoolCheckAsync(metrics);
        Assert.True(check.Code == 0, $"promtool check metrics failed: {check.Output}");
        Assert.Contains("knd_state{state=\"Validating\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderTheJournal_LinesCarrySyslogPrefixesWithoutTimestamps_AndLogDirGetsFilesPerLevel()
    {
        using var logDir = new TempDirectory();
        var options = new ClusterOptions
        {
            Nodes = 1,
            Environment = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" },
            ExtraArguments = ["--log-dir", logDir.Path],
        };
        await using var cluster = await KndCluster.StartAsync(options);
        var node = cluster.Nodes[0];
        await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));

        var line = await node.Process!.WaitForLineAsync(l => l.Contains("State Voting -> Validating", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the promotion");
        Assert.StartsWith("<6>", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"^\<\d\>\d{4}-\d\d-\d\d", line);
        Assert.True(File.Exists(Path.Combine(logDir.Path, "knd-info.log")));
        Assert.Contains("Voting -> Validating", await File.ReadAllTextAsync(Path.Combine(logDir.Path, "knd-info.log")), StringComparison.Ordinal);
    }

    private static async Task ReceiveUntilAsync(Socket socket, List<string> received, Func<List<string>, bool> done, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout);
        while (!done(received))
        {
            try
            {
                var count = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                received.AddRange(Encoding.UTF8.GetString(buffer, 0, count).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"sd_notify messages so far: {string.Join(" | ", received)}");
            }
        }
    }

    private static async Task<int> CountPingsAsync(Socket socket, TimeSpan window)
    {
        var buffer = new byte[4096];
        var pings = 0;
        using var end = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                var count = await socket.ReceiveAsync(buffer, SocketFlags.None, end.Token);
                pings += Encoding.UTF8.GetString(buffer, 0, count).Split('\n').Count(m => m == "WATCHDOG=1");
            }
        }
        catch (OperationCanceledException)
        {
            return pings;
        }
    }

    private static async Task<(int Code, string Output)> PromtoolCheckAsync(string metrics)
    {
        var info = new ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool (Debian package prometheus) is not installed");
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
