using System.Net.Sockets;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>
/// kuutamoctl and kneard-ctl against knd unchanged: kuutamod's routes, bodies and answers on the
/// kuutamod.sock knd serves next to its own socket (issue 15, item 2).
/// </summary>
public sealed class KuutamoctlTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;

    private string Socket => _server.KuutamodSocketPath;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync(kuutamodAlias: true);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task KuutamodSocket_IsServedNextToKnds_Mode0600()
    {
        Assert.Equal(Path.Combine(_server.Directory, "kuutamod.sock"), Socket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));
        Assert.Equal((200, "OK"), (await Kuutamoctl.SendAsync(Socket, "GET", "/health")).ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_OnKuutamodsSocket_HasNameAndNode_AndKndsFieldsStay()
    {
        _server.Control.Active = new ActiveValidatorInfo("node-b", "sess-9", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)) { ConsulNode = "host-b" };

        var kuutamod = await Kuutamoctl.SendAsync(Socket, "GET", "/active_validator");
        var knd = await Kuutamoctl.SendAsync(_server.SocketPath, "GET", "/active_validator");

        Assert.Equal(200, kuutamod.Status);
        Assert.Equal(("node-b", "host-b"), kuutamod.Validator());
        Assert.Equal("{\"node_id\":\"node-b\",\"session_id\":\"sess-9\",\"since\":\"2025-01-02T03:04:05+00:00\",\"Name\":\"node-b\",\"Node\":\"host-b\"}\n", kuutamod.Body);
        Assert.Equal("{\"node_id\":\"node-b\",\"session_id\":\"sess-9\",\"since\":\"2025-01-02T03:04:05+00:00\"}\n", knd.Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_Nobody_IsNull_AsKuutamodAnswered()
    {
        var answer = await Kuutamoctl.SendAsync(Socket, "GET", "/active_validator");

        Assert.Equal(200, answer.Status);
        Assert.Null(answer.Validator());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/maintenance_shutdown", null, null, "shutdown", null, null)]
    [InlineData("/maintenance_shutdown", 0L, null, "shutdown", null, null)]
    [InlineData("/maintenance_shutdown", null, 1020L, "shutdown", null, 1020L)]
    [InlineData("/maintenance_restart", 30L, null, "restart", 30L, null)]
    public async Task MaintenanceOperation_SchedulesKndsMaintenance_AndAnswersInKuutamodsWords(string route, long? length, long? at, string kindName, long? expectedLength, long? expectedAt)
    {
        var kind = MaintenanceKinds.Parse(kindName)!.Value;
        var answer = await Kuutamoctl.SendAsync(Socket, "POST", route, Kuutamoctl.MaintenanceBody(length, false, at));

        Assert.Equal((200, "shutdown at block height: 1020"), answer.ApiResponse());
        Assert.Equal(new MaintenanceRequest(kind, expectedLength, expectedAt, false), Assert.Single(_server.Control.MaintenanceRequests));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/maintenance_shutdown", "shutdown cancelled")]
    [InlineData("/maintenance_restart", "restart cancelled")]
    public async Task MaintenanceOperation_Cancel_SaysCancelled(string route, string message)
    {
        var answer = await Kuutamoctl.SendAsync(Socket, "POST", route, Kuutamoctl.MaintenanceBody(null, true, null));

        Assert.Equal((200, message), answer.ApiResponse());
        Assert.True(Assert.Single(_server.Control.MaintenanceRequests).Cancel);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceShutdown_OnAPassive_ActsNow()
    {
        _server.Control.OnSchedule = r => ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(r.Kind, null, 1000, null, null, "this node is passive (no duties): stopping neard and knd now"));

        var answer = await Kuutamoctl.SendAsync(Socket, "POST", "/maintenance_shutdown", Kuutamoctl.MaintenanceBody(null, false, null));

        Assert.Equal((200, "shutdown at current block"), answer.ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceOperation_Refused_KuutamoctlReadsStatusAndMessage()
    {
        _server.Control.OnSchedule = _ => ControlOutcome<MaintenanceStatus>.Refused("height 1005 is inside a block or chunk production duty");

        var answer = await Kuutamoctl.SendAsync(Socket, "POST", "/maintenance_restart", Kuutamoctl.MaintenanceBody(null, false, 1005));

        Assert.Equal(409, answer.Status);
        Assert.Contains("Content-Type: application/problem+json", answer.Head, StringComparison.Ordinal);
        Assert.Equal((409, "fail to setup maintenance window: height 1005 is inside a block or chunk production duty"), answer.ApiResponse());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{\"minimum_length\":10,\"cancel\":false,\"shutdown_at\":1020}", "give either minimum_length or shutdown_at, not both")]
    [InlineData("{\"minimum_length\":null,\"cancel\":false,\"shutdown_At\":1020}", "unknown field \"shutdown_At\"; known fields: minimum_length, cancel, shutdown_at")]
    [InlineData("{\"minimum_length\":-1,\"cancel\":false,\"shutdown_at\":null}", "field \"minimum_length\" must be a whole number of at least 0, not -1")]
    public async Task MaintenanceOperation_BadBody_Is400WithMessage_AndNothingIsScheduled(string body, string message)
    {
        var answer = await Kuutamoctl.SendAsync(Socket, "POST", "/maintenance_shutdown", body);

        Assert.Equal((400, message), answer.ApiResponse());
        Assert.Empty(_server.Control.MaintenanceRequests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScheduleRestart_AtAHeight_ThenCancel_AsKneardCtl()
    {
        var scheduled = await Kuutamoctl.SendAsync(Socket, "POST", "/schedule_restart", Kuutamoctl.ScheduleRestartBody(null, false, 1020));
        var cancelled = await Kuutamoctl.SendAsync(Socket, "POST", "/schedule_restart", Kuutamoctl.ScheduleRestartBody(null, true, null));

        Assert.Equal((200, "will shutdown at block height: 1020"), scheduled.ApiResponse());
        Assert.Equal((200, "shutdown cancelled"), cancelled.ApiResponse());
        Assert.Equal([new MaintenanceRequest(MaintenanceKind.Restart, null, 1020, false), new MaintenanceRequest(MaintenanceKind.Restart, null, null, true)], _server.Control.MaintenanceRequests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScheduleRestart_Refused_SaysSoInKneardsWords()
    {
        _server.Control.OnSchedule = _ => ControlOutcome<MaintenanceStatus>.Refused("neard is not running");

        var answer = await Kuutamoctl.SendAsync(Socket, "POST", "/schedule_restart", Kuutamoctl.ScheduleRestartBody(null, true, null));

        Assert.Equal((409, "fail to cancel restart: neard is not running"), answer.ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceStatus_InKuutamodsSentences()
    {
        Assert.Equal((200, "no maintenance setting now"), (await Kuutamoctl.SendAsync(Socket, "GET", "/maintenance_status")).ApiResponse());

        _server.Control.Maintenance = new MaintenanceStatus(MaintenanceKind.Shutdown, 1020, 1000, 1010, 1030, "shutdown at height 1020");
        Assert.Equal((200, "maintenance shutdown in 20 blocks, current: 1000, shutdown at: 1020"), (await Kuutamoctl.SendAsync(Socket, "GET", "/maintenance_status")).ApiResponse());

        _server.Control.Maintenance = new MaintenanceStatus(MaintenanceKind.Restart, 1020, 1000, 1010, 1030, "restart at height 1020");
        Assert.Equal((200, "maintenance restart in 20 blocks,  current: 1000, restart at: 1020"), (await Kuutamoctl.SendAsync(Socket, "GET", "/maintenance_status")).ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task RpcStatus_ReadyWhileNeardAnswersKndsHealthChecks_Else504()
    {
        _server.Publish(SupervisorState.Voting, leader: false, neardPid: 7);
        Assert.Equal((200, "rpc service ready"), (await Kuutamoctl.SendAsync(Socket, "GET", "/rpc_status")).ApiResponse());

        _server.Publish(SupervisorState.Voting, leader: false, neardPid: 7, neardHealthy: false);
        Assert.Equal((504, "fail to fetch status from rpc service: neard's RPC does not answer knd's health checks"), (await Kuutamoctl.SendAsync(Socket, "GET", "/rpc_status")).ApiResponse());

        _server.Publish(SupervisorState.Startup, leader: false, neardPid: null);
        Assert.Equal((504, "fail to fetch status from rpc service: neard is not running"), (await Kuutamoctl.SendAsync(Socket, "GET", "/rpc_status")).ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task KuutamodRoutes_AreAlsoServedOnKndsSocket()
    {
        var answer = await Kuutamoctl.SendAsync(_server.SocketPath, "GET", "/maintenance_status");

        Assert.Equal((200, "no maintenance setting now"), answer.ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task ShutdownWait_KuutamoctlPollsConnect_WhichFailsOnceKndHasStopped()
    {
        // kuutamoctl maintenance-shutdown --wait loops while UnixStream::connect succeeds.
        using (var live = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await live.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
        }

        await _server.StopAsync();

        using var gone = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await Assert.ThrowsAsync<SocketException>(async () => await gone.ConnectAsync(new UnixDomainSocketEndPoint(Socket)));
        Assert.False(Path.Exists(Socket));
    }
}

/// <summary>knd's own socket configured with kuutamod's name (KUUTAMO_CONTROL_SOCKET kept from kuutamod): kuutamoctl's answers there.</summary>
public sealed class KuutamodNamedSocketTests
{
    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_OnASocketNamedKuutamodSock_HasNameAndNode()
    {
        await using var server = await ControlTestServer.StartAsync(kuutamodAlias: true, socketName: "kuutamod.sock");
        server.Control.Active = new ActiveValidatorInfo("node-b", "sess-9", null);

        var answer = await Kuutamoctl.SendAsync(server.SocketPath, "GET", "/active_validator");

        Assert.Equal(("node-b", "node-b"), answer.Validator());
        Assert.Equal([server.SocketPath], Directory.GetFileSystemEntries(server.Directory));
    }
}
