using Knd.IntegrationTests.Failover;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Control;

/// <summary>kuutamoctl's requests against a real <c>knd run</c> (dev-consul, neard-sim), on the kuutamod.sock in its neard home.</summary>
[Collection(FailoverCollection.Name)]
public sealed class KuutamoctlDaemonTests
{
    [Fact]
    public async Task Kuutamoctl_ActiveValidator_Maintenance_RpcStatus_AgainstARealLeader()
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1 });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var socket = Path.Combine(leader.Home.Dir, "kuutamod.sock");

        var active = await Kuutamoctl.SendAsync(socket, "GET", "/active_validator");
        Assert.True(active.Status == 200, active.Body);
        var (name, node) = active.Validator()!.Value;
        Assert.Equal(leader.NodeId, name);
        Assert.NotEmpty(node);

        await Eventually.UntilAsync(async () => (await Kuutamoctl.SendAsync(socket, "GET", "/rpc_status")).Status == 200, TimeSpan.FromSeconds(20), cluster.Describe);
        Assert.Equal((200, "rpc service ready"), (await Kuutamoctl.SendAsync(socket, "GET", "/rpc_status")).ApiResponse());

        var scheduled = await Kuutamoctl.SendAsync(socket, "POST", "/maintenance_shutdown", Kuutamoctl.MaintenanceBody(null, false, null));
        var (code, message) = scheduled.ApiResponse();
        Assert.True(code == 200, $"{message}\n{cluster.Describe()}");
        Assert.StartsWith("shutdown at block height: ", message, StringComparison.Ordinal);
        var height = long.Parse(message["shutdown at block height: ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        var status = (await Kuutamoctl.SendAsync(socket, "GET", "/maintenance_status")).ApiResponse();
        Assert.Matches($"^maintenance shutdown in \\d+ blocks, current: \\d+, shutdown at: {height}$", status.Message);

        Assert.Equal((200, "shutdown cancelled"), (await Kuutamoctl.SendAsync(socket, "POST", "/maintenance_shutdown", Kuutamoctl.MaintenanceBody(null, true, null))).ApiResponse());
        Assert.Equal((200, "no maintenance setting now"), (await Kuutamoctl.SendAsync(socket, "GET", "/maintenance_status")).ApiResponse());
        Assert.True(await leader.IsLeaderAsync());
        cluster.AssertNoDoubleSign();
    }
}
