using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Deploy;

/// <summary>deploy/release.sh builds a working native (NativeAOT) knd.</summary>
[Collection(ReleaseCollection.Name)]
public sealed partial class ReleaseTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    private readonly ReleaseBuild _build;

    public ReleaseTests(ReleaseBuild build)
    {
        _build = build;
    }

    [Fact]
    public void ReleaseScript_PublishesOneSelfContainedExecutable()
    {
        AssertPublished();
        var files = Directory.GetFiles(_build.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["knd", "knd.dbg"], files);
        Assert.True((File.GetUnixFileMode(_build.Knd) & UnixFileMode.UserExecute) != 0, "knd is not executable");
    }

    [Fact]
    public async Task PublishedKnd_Version_PrintsTheProjectVersion()
    {
        AssertPublished();
        var version = ProjectVersion().Match(File.ReadAllText(RepoPaths.Combine("Directory.Build.props"))).Groups["version"].Value;
        Assert.NotEmpty(version);

        var result = await ExternalTool.At(_build.Knd).RunAsync(["--version"], RunTimeout);

        Assert.True(result.ExitCode == 0, result.Describe("knd --version"));
        Assert.StartsWith(version, result.Stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishedKnd_RunHelp_ListsTheOptions()
    {
        AssertPublished();

        var result = await ExternalTool.At(_build.Knd).RunAsync(["run", "--help"], RunTimeout);

        Assert.True(result.ExitCode == 0, result.Describe("knd run --help"));
        Assert.All(
            ["--neard-home", "--node-id", "--consul-url", "--consul-token-file", "--session-ttl", "--lock-delay", "--exporter-address", "--promotion", "KND_NEARD_HOME"],
            option => Assert.Contains(option, result.Stdout, StringComparison.Ordinal));
    }

    /// <summary>
    /// The release binary is compiled ahead of time: code reached only by reflection or generated
    /// at run time would be missing from it and fail at run time, not at build. So the published
    /// file itself runs a cluster (dev-consul, two daemons, the control client of a switchover)
    /// through three failovers.
    /// </summary>
    [Fact(Timeout = 330_000)]
    public async Task PublishedKnd_Localnet_FailsOverAndSwitchesOverWithNoDoubleSign()
    {
        AssertPublished();
        using var temp = new TempDirectory("knd-release-localnet-");
        var json = temp.Combine("chaos.json");
        var net = temp.Combine("net");

        await using var localnet = ChildProcess.Start("published knd localnet", _build.Knd, [
            "localnet", "--nodes", "2", "--trials", "1", "--fault", "crash-neard,switchover,stop-leader",
            "--session-ttl", "3s", "--lock-delay", "1s", "--neard-bin", ChildProcess.Binary("neard-sim"),
            "--json", json, "--dir", net]);
        var code = await localnet.WaitForExitAsync(TimeSpan.FromSeconds(300));
        var output = localnet.Tail(80);

        Assert.True(code == 0, $"exit code {code}\n{output}");
        var results = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsArray();
        Assert.Equal(["crash-neard", "switchover", "stop-leader"], results.Select(r => r!["fault"]!.GetValue<string>()));
        Assert.All(results, r => Assert.True(r!["failed_trials"]!.GetValue<int>() == 0 && r["double_signed_heights"]!.GetValue<int>() == 0, output));
        LedgerReader.Read(Path.Combine(net, "ledger.jsonl")).AssertNoDoubleSign();
    }

    private void AssertPublished()
    {
        Assert.NotNull(_build.Publish);
        Assert.True(_build.Publish.ExitCode == 0, _build.Publish.Describe("deploy/release.sh"));
        Assert.True(File.Exists(_build.Knd), $"no knd in {_build.OutputDirectory}:\n{_build.Publish.Output}");
    }

    [GeneratedRegex(@"<Version>(?<version>[^<]+)</Version>")]
    private static partial Regex ProjectVersion();
}
