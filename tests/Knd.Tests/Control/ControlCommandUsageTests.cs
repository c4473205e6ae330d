using System.CommandLine;
using Knd.Commands;

namespace Knd.Tests.Control;

/// <summary>Usage errors of the control commands: exit 2 and one line, before any connection is tried.</summary>
public sealed class ControlCommandUsageTests
{
    private static readonly ControlCliSettings Settings = new() { Environment = _ => null };

    [Theory]
    [InlineData("-5", "MINIMUM_LENGTH: \"-5\" is not a whole number of heights (0 or more)")]
    [InlineData("abc", "MINIMUM_LENGTH: \"abc\" is not a whole number of heights (0 or more)")]
    [InlineData("1.5", "MINIMUM_LENGTH: \"1.5\" is not a whole number of heights (0 or more)")]
    [InlineData("99999999999999999999", "MINIMUM_LENGTH: \"99999999999999999999\" is not a whole number of heights (0 or more)")]
    public async Task MaintenanceShutdown_BadLength_IsUsage(string length, string message)
    {
        var (code, _, error) = await RunAsync(MaintenanceCommands.CreateShutdown(Settings), length, "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"knd maintenance-shutdown: {message}", error.Trim());
    }

    [Theory]
    [InlineData(new[] { "5", "--shutdown-at", "1000" }, "give either MINIMUM_LENGTH or --shutdown-at, not both")]
    [InlineData(new[] { "--shutdown-at", "0" }, "--shutdown-at: \"0\" is not a block height (a whole number, 1 or more)")]
    [InlineData(new[] { "--shutdown-at", "-3" }, "--shutdown-at: \"-3\" is not a block height (a whole number, 1 or more)")]
    [InlineData(new[] { "--cancel", "5" }, "--cancel takes no MINIMUM_LENGTH or --shutdown-at")]
    [InlineData(new[] { "--cancel", "--wait" }, "--wait cannot be combined with --cancel")]
    [InlineData(new[] { "--timeout", "5m" }, "--timeout applies only with --wait")]
    public async Task MaintenanceRestart_BadCombination_IsUsage(string[] args, string message)
    {
        var (code, _, error) = await RunAsync(MaintenanceCommands.CreateRestart(Settings), [.. args, "--control-socket", "/nonexistent/knd.sock"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"knd maintenance-restart: {message}", error.Trim());
    }

    [Fact]
    public async Task MaintenanceShutdown_BadTimeout_IsUsageNamingTheOption()
    {
        var (code, _, error) = await RunAsync(MaintenanceCommands.CreateShutdown(Settings), "--wait", "--timeout", "soon", "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("knd maintenance-shutdown: --timeout: ", error, StringComparison.Ordinal);
        Assert.Contains("\"soon\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switchover_BadTarget_IsUsage()
    {
        var (code, _, error) = await RunAsync(SwitchoverCommand.Create(Settings), "--to", "a b", "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("knd switchover: --to: \"a b\" is not a node id (non-empty, no spaces or control characters)", error.Trim());
    }

    [Fact]
    public async Task Status_NoSocketAnywhere_IsUsage()
    {
        var (code, output, error) = await RunAsync(StatusCommand.Create(Settings));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Equal("knd status: no control socket given: pass --control-socket PATH, or set KND_CONTROL_SOCKET or KND_NEARD_HOME", error.Trim());
    }

    [Fact]
    public async Task Status_MissingSocket_IsUnreachableNamingThePath()
    {
        var (code, _, error) = await RunAsync(StatusCommand.Create(Settings), "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.DaemonUnreachable, code);
        Assert.Equal("knd status: cannot reach knd: there is no socket at \"/nonexistent/knd.sock\" (is knd running? give its --control-socket)", error.Trim());
    }

    [Fact]
    public async Task KndCli_UnknownOptionOnAControlCommand_IsUsage()
    {
        Assert.Equal(ExitCodes.Usage, await KndCli.RunAsync(["status", "--no-such-option"]));
    }

    internal static async Task<(int Code, string Output, string Error)> RunAsync(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var output = new StringWriter();
        var error = new StringWriter();
        var parse = root.Parse([command.Name, .. args]);
        Assert.Empty(parse.Errors);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
