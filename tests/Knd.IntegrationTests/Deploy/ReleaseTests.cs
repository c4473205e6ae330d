using System.Text.RegularExpressions;

namespace Knd.IntegrationTests.Deploy;

/// <summary>deploy/release.sh builds a working single-file knd.</summary>
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

        Assert.Equal(["knd", "knd.pdb"], files);
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

    private void AssertPublished()
    {
        Assert.NotNull(_build.Publish);
        Assert.True(_build.Publish.ExitCode == 0, _build.Publish.Describe("deploy/release.sh"));
        Assert.True(File.Exists(_build.Knd), $"no knd in {_build.OutputDirectory}:\n{_build.Publish.Output}");
    }

    [GeneratedRegex(@"<Version>(?<version>[^<]+)</Version>")]
    private static partial Regex ProjectVersion();
}
