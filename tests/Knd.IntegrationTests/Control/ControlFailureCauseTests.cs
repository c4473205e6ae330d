using System.Text.Json;
using Knd.Commands;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>
/// Every failure reads as its cause, in one line, with the documented exit code; with --json the
/// failure is also one JSON object on stdout (issue 15, item 4).
/// </summary>
public sealed class ControlFailureCauseTests : IAsyncLifetime
{
    private const string ConsulDown = "cannot reach Consul at http://127.0.0.1:8500: Connection refused (127.0.0.1:8500); so knd cannot tell who holds the lock kuutamod-leader/validator.near";

    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync(kuutamodAlias: true);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task ConsulDown_IsA502ProblemNamingConsul()
    {
        _server.Control.ActiveUnavailable = ConsulDown;
        using var client = _server.Client();

        var call = await client.GetAsync(ControlRoutes.ActiveValidator, CancellationToken.None);

        Assert.Equal(502, call.Status);
        Assert.Equal(ConsulDown, call.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidator_ConsulDown_SaysSoOnOneLine_ExitOne()
    {
        _server.Control.ActiveUnavailable = ConsulDown;

        var (code, output, error) = await RunAsync(ActiveValidatorCommand.Create(CliRun.Settings));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Empty(output);
        Assert.Equal($"knd active-validator: {ConsulDown}\n", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task ActiveValidatorJson_ConsulDown_PrintsTheFailureAsJsonOnStdout()
    {
        _server.Control.ActiveUnavailable = ConsulDown;

        var (code, output, error) = await RunAsync(ActiveValidatorCommand.Create(CliRun.Settings), "--json");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(Failure(ConsulDown, 1), output);
        Assert.Equal($"knd active-validator: {ConsulDown}\n", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Pause_ConsulDown_ExitOneNamingTheCause()
    {
        _server.Control.PauseUnavailable = "cannot reach Consul at http://127.0.0.1:8500: Connection refused (127.0.0.1:8500); the pause flag was not written";

        var (code, output, _) = await RunAsync(PauseCommands.CreatePause(CliRun.Settings), "--json");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(Failure(_server.Control.PauseUnavailable, 1), output);
        Assert.False(_server.Control.Paused);
    }

    [Fact(Timeout = 30_000)]
    public async Task Kuutamoctl_ConsulDown_GetsKuutamodsMessageWithTheCause()
    {
        _server.Control.ActiveUnavailable = ConsulDown;

        var answer = await Kuutamoctl.SendAsync(_server.KuutamodSocketPath, "GET", "/active_validator");

        Assert.Equal(502, answer.Status);
        Assert.Equal((502, ConsulDown), answer.ApiResponse());
    }

    [Fact(Timeout = 30_000)]
    public async Task DiskErrorInTheDaemon_IsA500NamingIt_NotAnEmptyAnswer()
    {
        _server.Control.ThrowOnRead = new IOException("No space left on device : '/home/config.json'");

        var (code, _, error) = await RunAsync(MaintenanceCommands.CreateStatus(CliRun.Settings));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("knd maintenance-status: knd failed to answer GET \"/maintenance\": IOException: No space left on device : '/home/config.json' (unexpected; knd's log has the details)\n", error);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task RefusalJson_IsTheFailureObject()
    {
        _server.Control.OnSchedule = _ => ControlOutcome<MaintenanceStatus>.Refused("no duty-free window left in this epoch; try again after height 1500 (the epoch end)");

        var (code, output, _) = await RunAsync(MaintenanceCommands.CreateShutdown(CliRun.Settings), "--json");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(Failure("no duty-free window left in this epoch; try again after height 1500 (the epoch end)", 1), output);
    }

    [Fact(Timeout = 30_000)]
    public async Task SwitchoverWaitJson_Failed_PrintsOnlyTheFailureObject()
    {
        _server.Control.ScriptSwitchover(new SwitchoverStatus("failed", "node-a", "node-b", "node-b is not synced"));

        var (code, output, _) = await RunAsync(SwitchoverCommand.Create(CliRun.Settings), "--wait", "--json");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(Failure("the switchover failed: node-b is not synced", 1), output);
    }

    [Fact(Timeout = 30_000)]
    public async Task DaemonGoneJson_IsTheFailureObjectWithExitThree()
    {
        await _server.StopAsync();

        var (code, output, error) = await RunAsync(StatusCommand.Create(CliRun.Settings), "--json");

        var reason = $"cannot reach knd: there is no socket at \"{_server.SocketPath}\" (is knd running? give its --control-socket)";
        Assert.Equal(ExitCodes.DaemonUnreachable, code);
        Assert.Equal(Failure(reason, 3), output);
        Assert.Contains("there is no socket at \\\"", output, StringComparison.Ordinal);
        Assert.Equal($"knd status: {reason}\n", error);
    }

    private static string Failure(string error, int code) =>
        JsonSerializer.Serialize(new { error, exit_code = code }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    private Task<(int Code, string Output, string Error)> RunAsync(System.CommandLine.Command command, params string[] args) =>
        CliRun.RunAsync(command, _server.SocketPath, args);
}

/// <summary>The real binary: a bad option on a control command is a usage failure like any other, JSON included.</summary>
public sealed class ControlUsageFailureProcessTests
{
    [Fact(Timeout = 60_000)]
    public async Task UnknownOption_WithJson_ExitTwo_OneLineOnStderr_JsonOnStdout()
    {
        await using var process = Infrastructure.ChildProcess.Start("knd", Infrastructure.ChildProcess.Binary("knd"), ["status", "--json", "--bogus", "--control-socket", "/nonexistent/knd.sock"]);

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        var line = Assert.Single(process.StderrLines);
        Assert.StartsWith("knd status: ", line, StringComparison.Ordinal);
        Assert.Contains("--bogus", line, StringComparison.Ordinal);
        var failure = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(process.StdoutLines))!.AsObject();
        Assert.Equal(line["knd status: ".Length..], failure["error"]!.GetValue<string>());
        Assert.Equal(2, failure["exit_code"]!.GetValue<int>());
    }
}
