using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// A Consul outage fails every request, several a second: the log shows the first failure of each
/// kind in full, then counts ("failed 36 times in the last 8 s"), then one line when it works again.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed partial class LogFloodTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    [Theory(Timeout = 180_000)]
    [InlineData("no-leader")]
    [InlineData("down")]
    public async Task ConsulOutage_NoWarningRepeatsWordForWord_FailuresAreCounted_RecoveryLogged(string outage)
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2 });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var before = cluster.Nodes.ToDictionary(n => n, n => n.Process!.Lines.Count);

        if (outage == "down")
        {
            // Connections refused: the Consul agent is stopped. It comes back empty (a new dev-consul).
            cluster.Consul.Process.Signal(Libc.SigKill);
        }
        else
        {
            await cluster.Consul.NoLeaderAsync(true);
        }

        var started = TimeProvider.System.GetTimestamp();
        await Eventually.HoldsAsync(() => TimeProvider.System.GetElapsedTime(started) > Outage, "the outage", cluster.Describe);
        var lines = cluster.Nodes.ToDictionary(n => n, n => Problems(n.Process!.Lines.Skip(before[n])));
        if (outage == "down")
        {
            await cluster.Consul.RestartEmptyAsync();
        }
        else
        {
            await cluster.Consul.NoLeaderAsync(false);
        }

        foreach (var node in cluster.Nodes)
        {
            var problems = lines[node];
            var repeated = problems.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 2).Select(g => $"{g.Count()} x {g.Key}").ToList();
            Assert.True(repeated.Count == 0, $"{node.NodeId} repeated itself during an {Outage.TotalSeconds} s outage:\n{string.Join('\n', repeated)}");
            Assert.True(problems.Count <= 25, $"{node.NodeId} logged {problems.Count} warnings and errors in an {Outage.TotalSeconds} s outage:\n{string.Join('\n', problems)}");
            await node.Process!.WaitForLineAsync(l => l.Contains("works again after", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "a recovery line");
        }
    }

    private static List<string> Problems(IEnumerable<string> lines) =>
        lines.Select(l => Problem().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    /// <summary>A warning or error line, without its timestamp: what an operator sees repeated.</summary>
    [GeneratedRegex(@"\[(?:WRN|ERR|FTL)\] (.*)$")]
    private static partial Regex Problem();
}
