using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Control;

/// <summary>The real <c>knd</c> binary as an operator runs it against a control socket.</summary>
public sealed class ControlCliProcessTests : IAsyncLifetime
{
    private static readonly string Knd = Path.Combine(AppContext.BaseDirectory, "knd");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Status_FindsTheSocketThroughKndNeardHome()
    {
        var environment = new Dictionary<string, string?>
        {
            ["KND_NEARD_HOME"] = _server.Directory,
            ["KND_CONTROL_SOCKET"] = null,
            ["KUUTAMO_CONTROL_SOCKET"] = null,
        };
        await using var process = ChildProcess.Start("knd", Knd, ["status"], environment);

        var code = await process.WaitForExitAsync(Limit);

        Assert.True(code == 0, process.Tail());
        Assert.Equal("node           node-a", process.StdoutLines[0]);
        Assert.Empty(process.StderrLines);
    }

    [Fact(Timeout = 60_000)]
    public async Task MaintenanceShutdown_BothLengthAndHeight_ExitsTwoWithOneLine()
    {
        await using var process = ChildProcess.Start("knd", Knd, ["maintenance-shutdown", "10", "--shutdown-at", "1020", "--control-socket", _server.SocketPath]);

        var code = await process.WaitForExitAsync(Limit);

        Assert.Equal(2, code);
        Assert.Equal("knd maintenance-shutdown: give either MINIMUM_LENGTH or --shutdown-at, not both", Assert.Single(process.StderrLines));
        Assert.Empty(_server.Control.MaintenanceRequests);
    }

    [Fact(Timeout = 60_000)]
    public async Task ActiveValidator_DaemonGone_ExitsThreeNamingThePath()
    {
        await _server.StopAsync();
        await using var process = ChildProcess.Start("knd", Knd, ["active-validator", "--json", "--control-socket", _server.SocketPath]);

        var code = await process.WaitForExitAsync(Limit);

        Assert.Equal(3, code);
        Assert.Equal($"{{\"error\":\"cannot reach knd: there is no socket at \\\"{_server.SocketPath}\\\" (is knd running? give its --control-socket)\",\"exit_code\":3}}", Assert.Single(process.StdoutLines));
        Assert.Equal($"knd active-validator: cannot reach knd: there is no socket at \"{_server.SocketPath}\" (is knd running? give its --control-socket)", Assert.Single(process.StderrLines));
    }
}
