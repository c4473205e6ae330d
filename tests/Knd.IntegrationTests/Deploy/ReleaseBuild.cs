using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Deploy;

/// <summary>
/// One run of deploy/release.sh into a temp dir, shared by the release tests. It is slow (a
/// self-contained NativeAOT publish), so it runs once, niced, and alone: the collection below
/// disables parallelization, so it never steals CPU from the timing-sensitive failover tests.
/// </summary>
public sealed class ReleaseBuild : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(30);

    private readonly TempDirectory _temp = new("knd-release-");

    public string OutputDirectory => _temp.Combine("publish");

    public string Knd => Path.Combine(OutputDirectory, "knd");

    internal ToolResult? Publish { get; private set; }

    public async Task InitializeAsync()
    {
        var nice = ExternalTool.Require("nice", "coreutils");
        var script = RepoPaths.Combine("deploy", "release.sh");

        // The test host's MSBuild variables would point the nested build at the test's SDK state.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        Publish = await nice.RunAsync(["-n", "10", "bash", script, OutputDirectory], PublishTimeout, environment: environment);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The release build and what runs on it. It runs beside the cluster tests (two collections at a time
/// on a 2-core runner): alone at the end it added its publish and localnet, 2.5 minutes, to the suite.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseBuild>
{
    public const string Name = "release build";
}
