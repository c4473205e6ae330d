using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Deploy;

/// <summary>
/// One run of deploy/release.sh into a temp dir, shared by the release tests. It is slow (a
/// self-contained NativeAOT publish) and niced, so it yields the CPU to the timing-sensitive
/// failover tests. It starts in the background as soon as the run is known to include the release
/// tests (<see cref="HeaviestFirstOrderer"/> calls <see cref="StartEarly"/>), so by the time their
/// collection's turn comes the binary is there: waiting for it in a test slot cost the suite 3.5 minutes.
/// </summary>
public sealed class ReleaseBuild : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(30);

    private static readonly Lazy<(TempDirectory Temp, Task<ToolResult> Publish)> Shared = new(Begin);

    public string OutputDirectory => Path.Combine(Shared.Value.Temp.Path, "publish");

    public string Knd => Path.Combine(OutputDirectory, "knd");

    internal ToolResult? Publish { get; private set; }

    /// <summary>Starts the publish now if it has not started; the fixture awaits the same run.</summary>
    public static void StartEarly() => _ = Shared.Value;

    public async Task InitializeAsync() => Publish = await Shared.Value.Publish;

    public Task DisposeAsync()
    {
        Shared.Value.Temp.Dispose();
        return Task.CompletedTask;
    }

    private static (TempDirectory, Task<ToolResult>) Begin()
    {
        var temp = new TempDirectory("knd-release-");
        var nice = ExternalTool.Require("nice", "coreutils");
        var script = RepoPaths.Combine("deploy", "release.sh");

        // The test host's MSBuild variables would point the nested build at the test's SDK state.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        var publish = Task.Run(() => nice.RunAsync(["-n", "10", "bash", script, temp.Combine("publish")], PublishTimeout, environment: environment));
        return (temp, publish);
    }
}

/// <summary>
/// The release build and what runs on it. It runs beside the cluster tests (two collections at a time
/// on a 2-core runner): alone at the end it added its publish and localnet, 2.5 minutes, to the suite.
/// It is ordered last of the parallel collections; its build started at the beginning of the run.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseBuild>
{
    public const string Name = "release build";
}
