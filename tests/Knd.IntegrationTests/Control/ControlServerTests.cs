using System.Text;
using System.Text.Json;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>The control API's routes and answers over the real socket.</summary>
public sealed class ControlServerTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;
    private ControlClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ControlTestServer.StartAsync();
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_IsTheStatusReportJson()
    {
        _server.Publish(SupervisorState.Validating, leader: true, neardPid: 4242);

        var call = await _client.GetAsync(ControlRoutes.Status, CancellationToken.None);

        Assert.Equal(200, call.Status);
        using var json = JsonDocument.Parse(call.Body);
        var root = json.RootElement;
        string[] contract = ["node_id", "account_id", "state", "is_leader", "leader_node_id", "neard_pid", "block_height", "syncing", "session_id", "last_renew_age_ms", "fencing_index", "paused"];
        Assert.All(contract, key => Assert.True(root.TryGetProperty(key, out _), $"missing {key} in {call.Body}"));
        Assert.Equal("Validating", root.GetProperty("state").GetString());
        Assert.Equal(4242, root.GetProperty("neard_pid").GetInt32());
        Assert.Equal(42UL, root.GetProperty("fencing_index").GetUInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task ControlRoutes_AreNotServedOverTcp_AndExporterRoutesNotOverTheSocket()
    {
        using var http = new HttpClient { BaseAddress = _server.TcpAddress };

        Assert.Equal(ControlTestServer.ExporterStatusText, await http.GetStringAsync("/status"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync("/pause", null)).StatusCode);
        Assert.False(_server.Control.Paused);
        var overSocket = await _client.GetAsync(ControlRoutes.Status, CancellationToken.None);
        Assert.StartsWith("{\"node_id\":\"node-a\"", overSocket.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetActiveValidator_NullWhenNobodyHoldsTheLock_ElseTheHolder()
    {
        Assert.Equal("null\n", (await _client.GetAsync(ControlRoutes.ActiveValidator, CancellationToken.None)).Body);

        _server.Control.Active = new ActiveValidatorInfo("node-b", "sess-9", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var call = await _client.GetAsync(ControlRoutes.ActiveValidator, CancellationToken.None);

        Assert.Equal("{\"node_id\":\"node-b\",\"session_id\":\"sess-9\",\"since\":\"2025-01-02T03:04:05+00:00\"}\n", call.Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostMaintenance_PassesTheRequest_AndAnswersTheStatus()
    {
        var call = await PostAsync(ControlRoutes.Maintenance, """{"kind":"restart","shutdown_at":1020}""");

        Assert.Equal(200, call.Status);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Restart, null, 1020, false), Assert.Single(_server.Control.MaintenanceRequests));
        Assert.Equal("{\"kind\":\"restart\",\"shutdown_at\":1020,\"current_height\":1000,\"window_start\":1010,\"window_end\":1030,\"message\":\"restart at height 1020\"}\n", call.Body);
        Assert.Equal(call.Body, (await _client.GetAsync(ControlRoutes.Maintenance, CancellationToken.None)).Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostMaintenance_Refused_Is409WithTheReason()
    {
        _server.Control.OnSchedule = _ => ControlOutcome<MaintenanceStatus>.Refused("no duty-free window left in this epoch; try again after height 1500 (the epoch end)");

        var call = await PostAsync(ControlRoutes.Maintenance, """{"kind":"shutdown"}""");

        Assert.Equal(409, call.Status);
        Assert.Equal("no duty-free window left in this epoch; try again after height 1500 (the epoch end)", call.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_PostThenGet()
    {
        var call = await PostAsync(ControlRoutes.Switchover, """{"to":"node-b"}""");

        Assert.Equal(200, call.Status);
        Assert.Equal(new SwitchoverRequest("node-b"), Assert.Single(_server.Control.SwitchoverRequests));
        Assert.Equal("{\"phase\":\"pending\",\"from\":\"node-a\",\"to\":\"node-b\",\"message\":\"switchover requested\",\"id\":null,\"requested_by\":null,\"requested_at\":null,\"window_height\":null,\"window_at\":null}\n", call.Body);
        Assert.Equal(call.Body, (await _client.GetAsync(ControlRoutes.Switchover, CancellationToken.None)).Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task PauseAndResume_SetTheFlag()
    {
        Assert.Equal("{\"paused\":true}\n", (await _client.PostAsync(ControlRoutes.Pause, null, CancellationToken.None)).Body);
        Assert.True(_server.Control.Paused);
        Assert.Equal("{\"paused\":false}\n", (await PostAsync(ControlRoutes.Resume, "{}")).Body);
        Assert.False(_server.Control.Paused);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExceptionInTheDaemon_Is500_AndTheServerGoesOn()
    {
        _server.Control.ThrowOnRead = new InvalidOperationException("boom");

        var call = await _client.GetAsync(ControlRoutes.Maintenance, CancellationToken.None);

        Assert.Equal(500, call.Status);
        Assert.Equal("knd failed to answer GET \"/maintenance\": InvalidOperationException: boom (unexpected; knd's log has the details)", call.Error);
        _server.Control.ThrowOnRead = null;
        Assert.Equal(200, (await _client.GetAsync(ControlRoutes.Maintenance, CancellationToken.None)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task ClientHangingUpDuringAChange_DoesNotCancelIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Control.Gate = gate;
        using (var impatient = _server.Client(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAsync<DaemonUnreachableException>(() =>
                impatient.PostAsync(ControlRoutes.Maintenance, Encoding.UTF8.GetBytes("""{"kind":"shutdown"}"""), CancellationToken.None));
        }

        gate.SetResult();
        await Infrastructure.Eventually.UntilAsync(() => _server.Control.Maintenance.Kind is not null, TimeSpan.FromSeconds(10), () => "the schedule to complete after the client left");
        Assert.False(_server.Control.ScheduleCancelled);
        _server.Control.Gate = null;
        Assert.Equal(200, (await _client.GetAsync(ControlRoutes.Status, CancellationToken.None)).Status);
    }

    private Task<ControlCall> PostAsync(string route, string body) =>
        _client.PostAsync(route, Encoding.UTF8.GetBytes(body), CancellationToken.None);
}
