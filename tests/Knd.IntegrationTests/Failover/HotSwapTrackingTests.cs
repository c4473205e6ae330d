using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Issue 15 item 12 with real processes: a hot swap onto a voter whose config.json knd prepared
/// (shadow tracking) signs from its first duty, while the same swap onto a node that does not read
/// that tracking (nearcore up to 2.5 ignores tracked_shards_config) lags for its catch-up time
/// (nearcore #12030). Both runs give the same catch-up time and a mischance confidence high enough
/// that the production watch never falls back to a restart, so the lag is the only difference.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class HotSwapTrackingTests
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>30 heights of 100 ms: about ten duties at 33 %, so a lag that skips none cannot pass by chance.</summary>
    private const int CatchUpMs = 3000;

    [Fact]
    public async Task HotSwap_OnAVoterKndPrepared_ShadowTracks_AndSignsAtItsFirstDuty()
    {
        var (node, signed, swappedPid, cluster) = await HotSwapAsync(legacyNeard: false);
        await using var _ = cluster;

        var config = JsonNode.Parse(File.ReadAllText(node.Home.ConfigPath))!.AsObject();
        Assert.Equal(KndCluster.Account, config["tracked_shards_config"]!["ShadowValidator"]!.GetValue<string>());
        Assert.True(config["store"]!["load_mem_tries_for_tracked_shards"]!.GetValue<bool>());
        Assert.Equal(swappedPid, signed.Pid);
        Assert.DoesNotContain(node.Process!.Lines, l => l.Contains("has not caught up", StringComparison.Ordinal));
        Assert.DoesNotContain(node.Process!.Lines, l => l.Contains("Did not sign duty height", StringComparison.Ordinal));
        cluster.AssertNoDoubleSign();
    }

    [Fact]
    public async Task HotSwap_OnANodeWithoutShadowTracking_LagsForItsCatchUpTime_ThenSigns()
    {
        var (node, signed, swappedPid, cluster) = await HotSwapAsync(legacyNeard: true);
        await using var _ = cluster;

        Assert.Equal(swappedPid, signed.Pid);
        await node.Process!.WaitForLineAsync(l => l.Contains("Node has not caught up yet", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "Node has not caught up yet");
        await node.Process!.WaitForLineAsync(l => l.Contains("Did not sign duty height", StringComparison.Ordinal) && l.Contains("has not caught up", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "Did not sign duty height");
        cluster.AssertNoDoubleSign();
    }

    private static async Task<(KndNode Node, LedgerEntry Signed, int SwappedPid, KndCluster Cluster)> HotSwapAsync(bool legacyNeard)
    {
        var cluster = await KndCluster.StartAsync(new ClusterOptions
        {
            Nodes = 1,
            StartNodes = false,
            ExtraArguments = ["--mischance-confidence", "1000"],
        });
        try
        {
            var node = cluster.Nodes[0];
            node.Home.EditConfig(config =>
            {
                config["sim"]!["hot_swap_catchup_ms"] = CatchUpMs;
                config["sim"]!["legacy_tracking_only"] = legacyNeard;
            });
            await node.StartAsync();
            await Eventually.UntilAsync(async () => await node.IsLeaderAsync(), ElectionTimeout, cluster.Describe);
            var swappedPid = (await node.StatusAsync())!["neard_pid"]!.GetValue<int>();
            var signed = await cluster.WaitForSignatureAsync(node, DateTimeOffset.MinValue, TimeSpan.FromSeconds(40));
            return (node, signed, swappedPid, cluster);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
