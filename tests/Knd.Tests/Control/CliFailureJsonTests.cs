using System.Text.Json;
using Knd.Commands;

namespace Knd.Tests.Control;

/// <summary>With --json every failure is also one JSON object on stdout: {"error","exit_code"}; stderr keeps the line.</summary>
public sealed class CliFailureJsonTests
{
    private static readonly ControlCliSettings Settings = new() { Environment = _ => null };

    [Fact]
    public async Task DaemonUnreachable_Json_IsTheFailureObject_ExitThree()
    {
        var (code, output, error) = await ControlCommandUsageTests.RunAsync(StatusCommand.Create(Settings), "--json", "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.DaemonUnreachable, code);
        AssertFailure(output, "cannot reach knd: there is no socket at \"/nonexistent/knd.sock\" (is knd running? give its --control-socket)", 3);
        Assert.Equal("knd status: cannot reach knd: there is no socket at \"/nonexistent/knd.sock\" (is knd running? give its --control-socket)\n", error);
    }

    [Fact]
    public async Task UsageError_Json_IsTheFailureObject_ExitTwo()
    {
        var (code, output, _) = await ControlCommandUsageTests.RunAsync(MaintenanceCommands.CreateShutdown(Settings), "-5", "--json", "--control-socket", "/nonexistent/knd.sock");

        Assert.Equal(ExitCodes.Usage, code);
        AssertFailure(output, "MINIMUM_LENGTH: \"-5\" is not a whole number of heights (0 or more)", 2);
    }

    [Fact]
    public async Task NoSocketAnywhere_Json_IsTheFailureObject_ExitTwo()
    {
        var (code, output, _) = await ControlCommandUsageTests.RunAsync(ActiveValidatorCommand.Create(Settings), "--json");

        Assert.Equal(ExitCodes.Usage, code);
        AssertFailure(output, "no control socket given: pass --control-socket PATH, or set KND_CONTROL_SOCKET or KND_NEARD_HOME", 2);
    }

    [Fact]
    public async Task WithoutJson_StdoutStaysEmpty()
    {
        var (_, output, _) = await ControlCommandUsageTests.RunAsync(StatusCommand.Create(Settings), "--control-socket", "/nonexistent/knd.sock");

        Assert.Empty(output);
    }

    private static void AssertFailure(string output, string error, int exitCode)
    {
        Assert.EndsWith("}\n", output, StringComparison.Ordinal);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.Equal(exitCode, json.RootElement.GetProperty("exit_code").GetInt32());
        Assert.DoesNotContain("\\u0022", output, StringComparison.Ordinal);
    }
}
