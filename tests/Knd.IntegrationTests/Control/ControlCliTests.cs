using System.Text.Json;
using Knd.Commands;
using Knd.Control;
using Knd.Neard;
using Knd.Production;

namespace Knd.IntegrationTests.Control;

/// <summary>The control commands against a real socket: output, --json, exit codes.</summary>
public sealed class ControlCliTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;

    private static ControlCliSettings Settings => CliRun.Settings;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Status_PrintsAnAlignedTable()
    {
        _server.Publish(SupervisorState.Validating, leader: true, neardPid: 4242);

        var (code, output, error) = await RunAsync(StatusCommand.Create(Settings));

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("node           node-a", lines[0]);
        Assert.Contains("state          Validating", lines);
        Assert.Contains("role           leader (active validator)", lines);
        Assert.Contains("neard pid      4242", lines);
        Assert.Contains("renew age      250 ms", lines);
        Assert.Contains("fencing index  42", lines);
        Assert.Contains("paused         no", lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_ShowsTheProductionWatch_TextAndJson()
    {
        _server.Status.Production.Publish(ProductionStats.Empty with
        {
            EpochStartHeight = 900,
            Blocks = new DutyCount(40, 37),
            Chunks = new DutyCount(40, 38),
            LastProducedHeight = 998,
            LastProducedBy = "node-a",
            LastMissedHeight = 990,
            ScannedHeight = 999,
        });
        _server.Status.Production.StepDownBlocked = true;
        _server.Publish(SupervisorState.Validating, leader: true, neardPid: 4242, production: new ProductionView(3, 11, 0, 25, 75, 14, NotProducing: true, StrangerHeight: 950, StrangerAge: TimeSpan.FromSeconds(30), ScannedHeight: 999, DoppelgangerHold: TimeSpan.FromMinutes(9.5)));

        var (code, output, _) = await RunAsync(StatusCommand.Create(Settings));
        var (_, json, _) = await RunAsync(StatusCommand.Create(Settings), "--json");

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.TrimEnd().Split('\n');
        Assert.Contains("blocks         37 of 40 produced, 3 missed", lines);
        Assert.Contains("chunks         38 of 40 produced, 2 missed", lines);
        Assert.Contains("endorsements   -", lines);
        Assert.Contains("mischance      11 (confidence 3)", lines);
        Assert.Contains("rank           25", lines);
        Assert.Contains("last produced  998 (lock held by node-a)", lines);
        Assert.Contains("last missed    990 (no node held the lock)", lines);
        Assert.Contains("chain watch    up to height 999", lines);
        Assert.Contains("not producing  yes: no ready passive, staying the leader", lines);
        Assert.Contains("doppelganger   height 950 signed outside the cluster; no promotion for 9.5 min", lines);
        using var document = JsonDocument.Parse(json);
        var production = document.RootElement.GetProperty("production");
        Assert.Equal(3, production.GetProperty("blocks").GetProperty("missed").GetInt64());
        Assert.Equal(11, production.GetProperty("mischance").GetInt32());
        Assert.True(production.GetProperty("step_down_blocked").GetBoolean());
        Assert.Equal(950, production.GetProperty("doppelganger_height").GetInt64());
        Assert.Equal(570_000, production.GetProperty("doppelganger_hold_ms").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task StatusJson_IsExactlyTheDaemonsStatusReport()
    {
        _server.Publish(SupervisorState.Voting, leader: false, neardPid: 7);
        using var client = _server.Client();
        var expected = (await client.GetAsync(ControlRoutes.Status, CancellationToken.None)).Body;

        var (code, output, _) = await RunAsync(StatusCommand.Create(Settings), "--json");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(expected, output);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("is_leader").GetBoolean());
        Assert.Equal("node-b", json.RootElement.GetProperty("leader_node_id").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_None_AndJsonNull()
    {
        Assert.Equal((0, "no active validator: nobody holds the lock\n", string.Empty), await RunAsync(ActiveValidatorCommand.Create(Settings)));
        Assert.Equal((0, "null\n", string.Empty), await RunAsync(ActiveValidatorCommand.Create(Settings), "--json"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_Holder_TableAndJson()
    {
        _server.Control.Active = new ActiveValidatorInfo("node-b", "sess-9", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var (_, table, _) = await RunAsync(ActiveValidatorCommand.Create(Settings));
        var (_, json, _) = await RunAsync(ActiveValidatorCommand.Create(Settings), "--json");

        Assert.Equal("node     node-b\nsession  sess-9\nsince    2025-01-02T03:04:05+00:00\n", table);
        Assert.Equal("{\"node_id\":\"node-b\",\"session_id\":\"sess-9\",\"since\":\"2025-01-02T03:04:05+00:00\"}\n", json);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceShutdown_WithLength_SendsIt_AndShowsTheSchedule()
    {
        var (code, output, _) = await RunAsync(MaintenanceCommands.CreateShutdown(Settings), "30");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Shutdown, 30, null, false), Assert.Single(_server.Control.MaintenanceRequests));
        Assert.Equal(
            "scheduled       shutdown at height 1020\ncurrent height  1000 (20 heights to go)\nwindow          [1010, 1030) (heights 1010 to 1029, no duty)\nmessage         shutdown at height 1020\n",
            output);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceRestart_ShutdownAtJson_PrintsTheDaemonsJson()
    {
        var (code, output, _) = await RunAsync(MaintenanceCommands.CreateRestart(Settings), "--shutdown-at", "1020", "--json");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(new MaintenanceRequest(MaintenanceKind.Restart, null, 1020, false), Assert.Single(_server.Control.MaintenanceRequests));
        Assert.Equal("{\"kind\":\"restart\",\"shutdown_at\":1020,\"current_height\":1000,\"window_start\":1010,\"window_end\":1030,\"message\":\"restart at height 1020\"}\n", output);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("maintenance-shutdown", "shutdown cancelled\n")]
    [InlineData("maintenance-restart", "restart cancelled\n")]
    public async Task Cancel_SaysCancelled_NotKuutamod739sMessage(string command, string expected)
    {
        var create = command == "maintenance-shutdown" ? MaintenanceCommands.CreateShutdown(Settings) : MaintenanceCommands.CreateRestart(Settings);

        var (code, output, _) = await RunAsync(create, "--cancel");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(expected, output);
        Assert.True(Assert.Single(_server.Control.MaintenanceRequests).Cancel);
    }

    [Fact(Timeout = 30_000)]
    public async Task Maintenance_Refused_ExitsOneWithTheReasonOnOneLine()
    {
        _server.Control.OnSchedule = _ => ControlOutcome<MaintenanceStatus>.Refused("no duty-free window left in this epoch; try again after height 1500 (the epoch end)");

        var (code, output, error) = await RunAsync(MaintenanceCommands.CreateShutdown(Settings));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Empty(output);
        Assert.Equal("knd maintenance-shutdown: no duty-free window left in this epoch; try again after height 1500 (the epoch end)\n", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceStatus_Nothing()
    {
        var (code, output, _) = await RunAsync(MaintenanceCommands.CreateStatus(Settings));

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("scheduled  nothing\nmessage    no maintenance scheduled\n", output);
    }

    [Fact(Timeout = 30_000)]
    public async Task PauseResume_ChangeTheFlag_AndRefusalExitsOne()
    {
        Assert.Equal(ExitCodes.Ok, (await RunAsync(PauseCommands.CreatePause(Settings))).Code);
        Assert.True(_server.Control.Paused);
        Assert.Equal((0, "{\"paused\":false}\n", string.Empty), await RunAsync(PauseCommands.CreateResume(Settings), "--json"));
        Assert.False(_server.Control.Paused);

        _server.Control.RefusePause = "Consul is unreachable; the pause flag was not written";
        var (code, _, error) = await RunAsync(PauseCommands.CreatePause(Settings));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("knd pause: Consul is unreachable; the pause flag was not written\n", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Wait_UntilDone_ExitsZero()
    {
        _server.Control.ScriptSwitchover(
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "next window at 1010"),
            new SwitchoverStatus("handing-over", "node-a", "node-b", "node-a stopping neard"),
            new SwitchoverStatus("done", "node-a", "node-b", "node-b validates"));

        var (code, output, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--to", "node-b", "--wait");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(new SwitchoverRequest("node-b"), Assert.Single(_server.Control.SwitchoverRequests));
        Assert.Contains("phase    done", output, StringComparison.Ordinal);
        Assert.Contains("knd switchover: handing-over: node-a stopping neard", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_WaitPiped_PrintsOneLinePerChangeOfTheWindow()
    {
        var at = TimeProvider.System.GetUtcNow().AddMinutes(3);
        _server.Control.ScriptSwitchover(
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "the next starts at height 1010 (head 700), in about 180 s", WindowHeight: 1010, WindowAt: at),
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "the next starts at height 1010 (head 700), in about 180 s", WindowHeight: 1010, WindowAt: at),
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "the next starts at height 1060 (head 760), in about 190 s", WindowHeight: 1060, WindowAt: at),
            new SwitchoverStatus("done", "node-a", "node-b", "node-b validates"));

        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--wait");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(1, Occurrences(error, "height 1010"));
        Assert.Equal(1, Occurrences(error, "height 1060"));
        Assert.DoesNotContain('\r', error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_DryRun_AsksForADryRunAndPrintsTheAnswer()
    {
        _server.Control.OnSwitchover = request => ControlOutcome<SwitchoverStatus>.Success(new SwitchoverStatus("dry-run", "node-a", "node-b", "would hand over from node-a to node-b"));

        var (code, output, _) = await RunAsync(SwitchoverCommand.Create(Settings), "--dry-run");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(new SwitchoverRequest(null, DryRun: true), Assert.Single(_server.Control.SwitchoverRequests));
        Assert.Contains("would hand over from node-a to node-b", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Cancel_CancelsTheWaitingOne_AndRefusesWhenNoneWaits()
    {
        _server.Control.Switchover = new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "waiting", Id: "abc");

        var (code, output, _) = await RunAsync(SwitchoverCommand.Create(Settings), "--cancel", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\"phase\":\"cancelled\"", output, StringComparison.Ordinal);

        var (again, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--cancel");
        Assert.Equal(ExitCodes.Failed, again);
        Assert.Equal("knd switchover: no switchover is waiting to be cancelled\n", error);
        Assert.Equal(2, _server.Control.SwitchoverCancels);
        Assert.Empty(_server.Control.SwitchoverRequests);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--cancel", "--to", "node-b")]
    [InlineData("--cancel", "--wait")]
    [InlineData("--dry-run", "--wait")]
    public async Task Switchover_CancelOrDryRunWithWaitOrTarget_IsAUsageErrorThatSendsNothing(params string[] arguments)
    {
        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), arguments);

        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.StartsWith("knd switchover: --", error, StringComparison.Ordinal);
        Assert.Empty(_server.Control.SwitchoverRequests);
        Assert.Equal(0, _server.Control.SwitchoverCancels);
    }

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Wait_TheDaemonsViewStillShowsTheLastSwitchover_WaitsForThisOne()
    {
        _server.Control.OnSwitchover = request => ControlOutcome<SwitchoverStatus>.Success(new SwitchoverStatus("pending", "node-a", "node-b", "switchover requested", Id: "new"));
        _server.Control.ScriptSwitchover(
            new SwitchoverStatus("failed", "node-b", "node-a", "node-a is not synced", Id: "old"),
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "next window at 1010", Id: "new"),
            new SwitchoverStatus("done", "node-a", "node-b", "node-b validates", Id: "new"));

        var (code, output, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--wait");

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("node-b validates", output, StringComparison.Ordinal);
        Assert.DoesNotContain("node-a is not synced", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Wait_AnotherSwitchoverReplacedThisOne_ExitsOneNamingIt()
    {
        _server.Control.OnSwitchover = request => ControlOutcome<SwitchoverStatus>.Success(new SwitchoverStatus("pending", "node-a", "node-b", "switchover requested", Id: "mine"));
        _server.Control.ScriptSwitchover(
            new SwitchoverStatus("waiting-for-window", "node-a", "node-b", "next window at 1010", Id: "mine"),
            new SwitchoverStatus("pending", "node-a", "node-c", "switchover requested", Id: "theirs"));

        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--wait");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.EndsWith("knd switchover: switchover mine is no longer the daemon's: it shows switchover theirs (pending: switchover requested)\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Wait_Failed_ExitsOne()
    {
        _server.Control.ScriptSwitchover(new SwitchoverStatus("failed", "node-a", "node-b", "node-b is not synced"));

        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--wait");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.EndsWith("knd switchover: the switchover failed: node-b is not synced\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Switchover_Wait_Timeout_ExitsOneSayingItGoesOn()
    {
        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--wait", "--timeout", "200ms");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.EndsWith("knd switchover: gave up waiting after 0.2 s; the switchover is still pending in knd\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceShutdownWait_ReturnsZeroWhenKndExits()
    {
        var run = RunAsync(MaintenanceCommands.CreateShutdown(Settings), "--wait");
        await Infrastructure.Eventually.UntilAsync(() => Volatile.Read(ref _server.Control.MaintenanceReads) >= 2, TimeSpan.FromSeconds(10), () => "the CLI to poll");
        Assert.False(run.IsCompleted);

        var stopping = TimeProvider.System.GetTimestamp();
        await _server.StopAsync();
        var (code, _, error) = await run;

        // Not the CLI's 10 s request timeout: a request queued on the closed listener fails at once.
        Assert.True(TimeProvider.System.GetElapsedTime(stopping) < TimeSpan.FromSeconds(5), $"the CLI took {TimeProvider.System.GetElapsedTime(stopping)} to notice");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.EndsWith("knd maintenance-shutdown: knd has exited\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceShutdownWait_ScheduleCancelledMeanwhile_ExitsOne()
    {
        var run = RunAsync(MaintenanceCommands.CreateShutdown(Settings), "--wait");
        await Infrastructure.Eventually.UntilAsync(() => Volatile.Read(ref _server.Control.MaintenanceReads) >= 1, TimeSpan.FromSeconds(10), () => "the CLI to poll");

        _server.Control.Maintenance = new MaintenanceStatus(null, null, 1005, null, null, "shutdown cancelled");
        var (code, _, error) = await run;

        Assert.Equal(ExitCodes.Failed, code);
        Assert.EndsWith("knd maintenance-shutdown: the shutdown is no longer scheduled (cancelled?); knd says: shutdown cancelled\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task MaintenanceRestartWait_ReturnsZeroWhenNeardRunsUnderANewPid()
    {
        _server.Publish(SupervisorState.Validating, leader: true, neardPid: 100);
        var run = RunAsync(MaintenanceCommands.CreateRestart(Settings), "--wait");
        await Infrastructure.Eventually.UntilAsync(() => Volatile.Read(ref _server.Control.MaintenanceReads) >= 2, TimeSpan.FromSeconds(10), () => "the CLI to poll");
        Assert.False(run.IsCompleted);

        _server.Publish(SupervisorState.Voting, leader: false, neardPid: 200);
        _server.Control.Maintenance = new MaintenanceStatus(null, null, 1021, null, null, "restarted");
        var (code, _, error) = await run;

        Assert.Equal(ExitCodes.Ok, code);
        Assert.EndsWith("knd maintenance-restart: neard restarted (pid 200)\n", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task StaleSocket_IsUnreachable_ExitThree()
    {
        await _server.StopAsync();
        var stale = Path.Combine(_server.Directory, "stale.sock");
        var bound = Path.Combine(_server.Directory, "bound.sock");
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(bound));
            File.Move(bound, stale);
        }

        var (code, _, error) = await CliRun.RunAsync(StatusCommand.Create(Settings), stale);

        Assert.Equal(ExitCodes.DaemonUnreachable, code);
        Assert.Equal($"knd status: cannot reach knd at \"{stale}\": connection refused (knd is not running; the socket is left over)\n", error);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ListWatch_Piped_PrintsAgainWhenAMemberTurnsStale_NotBecauseTheRenewalAgesGrew(bool json)
    {
        static MemberView Member(string node, double age, bool stale) =>
            new(node, node == "node-a" ? "leader" : "passive", "Voting", !stale, stale, 100, 0, true, true, false, false, 0, null, "2026-11-21T12:00:00.000Z", age, "unknown");

        // Every read finds the renewal ages grown, as on a real cluster; from the 20th read node-b is stale.
        _server.Control.MembersAtRead = read => new("kuutamod-leader/v.near", "node-a", false, [Member("node-a", read * 0.1, false), Member("node-b", read * 0.1, read >= 20)]);
        var buffer = new StringWriter();
        var output = TextWriter.Synchronized(buffer);
        string[] args = json ? ["list", "--watch", "--json"] : ["list", "--watch"];
        var parse = new System.CommandLine.RootCommand { ListCommand.Create(Settings) }.Parse([.. args, "--control-socket", _server.SocketPath]);
        using var stop = new CancellationTokenSource();
        var watch = parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = TextWriter.Null }, stop.Token);

        await Infrastructure.Eventually.UntilAsync(() => Volatile.Read(ref _server.Control.MembersReads) >= 30, TimeSpan.FromSeconds(20), () => "30 reads");
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await watch);

        var text = buffer.ToString();
        var printed = text.Split('\n').Where(l => l.StartsWith(json ? "{\"lock_key\"" : "cluster ", StringComparison.Ordinal)).ToList();
        Assert.True(printed.Count == 2, $"printed {printed.Count} times:\n{text}");
        Assert.Contains(json ? "\"stale\":true" : "gone (stale)", text, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(System.CommandLine.Command command, params string[] args) =>
        CliRun.RunAsync(command, _server.SocketPath, args);
}
