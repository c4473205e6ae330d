using System.Text.Json.Nodes;
using Knd.Interop;
using Knd.IntegrationTests.Failover;

namespace Knd.IntegrationTests.Control;

/// <summary>A real <c>knd run</c> whose Consul has gone: the control commands name that cause, never "internal error".</summary>
[Collection(FailoverCollection.Name)]
public sealed class ConsulDownDaemonTests
{
    [Fact]
    public async Task ConsulGone_CommandsThatNeedIt_SayCannotReachConsul_ExitOne()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var node = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var cause = $"cannot reach Consul at {cluster.Consul.BaseAddress.GetLeftPart(UriPartial.Authority)}: ";
        cluster.Consul.Process.Signal(Libc.SigKill);
        await cluster.Consul.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var active = await node.CliAsync("active-validator");
        var activeJson = await node.CliAsync("active-validator", "--json");
        var pause = await node.CliAsync("pause");
        var status = await node.CliAsync("status");
        var kuutamoctl = await Kuutamoctl.SendAsync(Path.Combine(node.Home.Dir, "kuutamod.sock"), "GET", "/active_validator");

        Assert.Equal(1, active.ExitCode);
        Assert.True(active.Output.StartsWith($"knd active-validator: {cause}", StringComparison.Ordinal), active.Output);
        Assert.DoesNotContain('\n', active.Output);
        Assert.Equal(1, activeJson.ExitCode);
        var failure = JsonNode.Parse(activeJson.Stdout)!.AsObject();
        Assert.StartsWith(cause, failure["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, failure["exit_code"]!.GetValue<int>());
        Assert.Equal(1, pause.ExitCode);
        Assert.StartsWith($"knd pause: {cause}", pause.Output, StringComparison.Ordinal);
        Assert.EndsWith("the pause flag was not written", pause.Output, StringComparison.Ordinal);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Equal(502, kuutamoctl.Status);
        Assert.StartsWith(cause, kuutamoctl.ApiResponse().Message, StringComparison.Ordinal);
        foreach (var output in new[] { active.Output, activeJson.Output, pause.Output })
        {
            Assert.DoesNotContain("internal error", output, StringComparison.Ordinal);
        }
    }
}
