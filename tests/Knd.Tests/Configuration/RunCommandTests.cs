using System.CommandLine;
using System.Runtime.Versioning;
using Knd.Commands;
using Knd.Configuration;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class RunCommandTests : IDisposable
{
    /// <summary>Every option of contract §2 and the variables that set it.</summary>
    public static readonly TheoryData<string, string, string?> ContractOptions = new()
    {
        { "--node-id", "KND_NODE_ID", "KUUTAMO_NODE_ID" },
        { "--account-id", "KND_ACCOUNT_ID", "KUUTAMO_ACCOUNT_ID" },
        { "--consul-url", "KND_CONSUL_URL", "KUUTAMO_CONSUL_URL" },
        { "--consul-token-file", "KND_CONSUL_TOKEN_FILE", "KUUTAMO_CONSUL_TOKEN_FILE" },
        { "--lock-key-prefix", "KND_LOCK_KEY_PREFIX", null },
        { "--session-ttl", "KND_SESSION_TTL", null },
        { "--lock-delay", "KND_LOCK_DELAY", null },
        { "--exporter-address", "KND_EXPORTER_ADDRESS", "KUUTAMO_EXPORTER_ADDRESS" },
        { "--control-socket", "KND_CONTROL_SOCKET", "KUUTAMO_CONTROL_SOCKET" },
        { "--neard-bin", "KND_NEARD_BIN", null },
        { "--neard-home", "KND_NEARD_HOME", "KUUTAMO_NEARD_HOME" },
        { "--validator-key", "KND_VALIDATOR_KEY", "KUUTAMO_VALIDATOR_KEY" },
        { "--validator-node-key", "KND_VALIDATOR_NODE_KEY", "KUUTAMO_VALIDATOR_NODE_KEY" },
        { "--voter-node-key", "KND_VOTER_NODE_KEY", "KUUTAMO_VOTER_NODE_KEY" },
        { "--validator-network-addr", "KND_VALIDATOR_NETWORK_ADDR", "KUUTAMO_VALIDATOR_NETWORK_ADDR" },
        { "--voter-network-addr", "KND_VOTER_NETWORK_ADDR", "KUUTAMO_VOTER_NETWORK_ADDR" },
        { "--public-address", "KND_PUBLIC_ADDRESS", "KUUTAMO_PUBLIC_ADDRESS" },
        { "--neard-bootnodes", "KND_NEARD_BOOTNODES", "KUUTAMO_NEARD_BOOTNODES" },
        { "--promotion", "KND_PROMOTION", null },
        { "--log-dir", "KND_LOG_DIR", null },
        { "--config", "KND_CONFIG", null },
        { "--log-format", "KND_LOG_FORMAT", null },
        { "--neard-stop-timeout", "KND_NEARD_STOP_TIMEOUT", null },
        { "--neard-stall-timeout", "KND_NEARD_STALL_TIMEOUT", null },
    };

    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Theory]
    [MemberData(nameof(ContractOptions))]
    public async Task Help_MentionsOptionAndItsVariables(string flag, string kndVariable, string? kuutamoVariable)
    {
        var output = new StringWriter();

        var code = await KndCli.CreateRootCommand().Parse(["run", "--help"]).InvokeAsync(new InvocationConfiguration { Output = output });

        Assert.Equal(0, code);
        var line = output.ToString().Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
        Assert.NotNull(line);
        Assert.Contains(kndVariable, line, StringComparison.Ordinal);
        if (kuutamoVariable is not null)
        {
            Assert.Contains(kuutamoVariable, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_UnknownOption_ExitsWithConfigCode()
    {
        Assert.Equal(ExitCodes.Config, await KndCli.RunAsync(["run", "--no-such-option", "x"]));
    }

    [Fact]
    public async Task RunAsync_OptionWithoutValue_ExitsWithConfigCode()
    {
        Assert.Equal(ExitCodes.Config, await KndCli.RunAsync(["run", "--session-ttl"]));
    }

    [Fact]
    public async Task Invoke_BadValue_Exits78WithOneLineOnStderr()
    {
        var (code, stderr, started) = await InvokeAsync("--neard-home", _f.Home, "--session-ttl", "0s");

        Assert.Equal(ExitCodes.Config, code);
        Assert.Null(started);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("knd run: --session-ttl: \"0s\" is not allowed", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ValidOptions_StartsDaemonWithParsedOptions()
    {
        var (code, stderr, started) = await InvokeAsync(
            "--neard-home", _f.Home, "--node-id", "n1", "--public-address", "1.2.3.4", "--public-address", "5.6.7.8,9.9.9.9");

        Assert.Equal(42, code);
        Assert.Equal(string.Empty, stderr);
        Assert.NotNull(started);
        Assert.Equal("n1", started.Value.Options.NodeId);
        Assert.Equal(3, started.Value.Options.PublicAddresses.Count);
        Assert.Equal(RunOptionDefaults.DefaultSessionTtl, started.Value.Timings.SessionTtl);
    }

    [Fact]
    public async Task Invoke_LowTtl_PrintsWarningAndStarts()
    {
        var (code, stderr, started) = await InvokeAsync("--neard-home", _f.Home, "--session-ttl", "5s");

        Assert.Equal(42, code);
        Assert.NotNull(started);
        Assert.StartsWith("knd run: warning: --session-ttl: 5s is below", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_EnvironmentOnly_IsRead()
    {
        _f.Env["KUUTAMO_NEARD_HOME"] = _f.Home;

        var (code, _, started) = await InvokeAsync();

        Assert.Equal(42, code);
        Assert.Equal(_f.Home, started?.Options.NeardHome);
    }

    private async Task<(int Code, string Stderr, (KndRunOptions Options, FailoverTimings Timings)? Started)> InvokeAsync(params string[] args)
    {
        (KndRunOptions, FailoverTimings)? started = null;
        var root = new RootCommand
        {
            RunCommand.Create(name => _f.Env.GetValueOrDefault(name), (options, timings, _) =>
            {
                started = (options, timings);
                return Task.FromResult(42);
            }),
        };
        var stderr = new StringWriter();
        var parsed = root.Parse(["run", .. args]);
        Assert.Empty(parsed.Errors);
        var code = await parsed.InvokeAsync(new InvocationConfiguration { Error = stderr, Output = new StringWriter() });
        return (code, stderr.ToString(), started);
    }
}
