using System.Runtime.Versioning;

namespace Knd.IntegrationTests.Neard;

[SupportedOSPlatform("linux")]
public sealed class StrayNeardTests : IDisposable
{
    /// <summary>A neard an earlier knd left behind: stays a shell (so its command line stays), ignores SIGTERM.</summary>
    private const string Stray = """
        #!/bin/sh
        trap '' TERM
        while :; do sleep 0.05; done
        """;

    private readonly LauncherFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_KillsAStrayNeardOnTheSameHome_AndSparesOtherHomes()
    {
        var strayBin = Path.Combine(Directory.CreateDirectory(Path.Combine(_fixture.Root, "old")).FullName, "neard");
        File.WriteAllText(strayBin, Stray.ReplaceLineEndings("\n") + "\n");
        var otherHome = Directory.CreateDirectory(Path.Combine(_fixture.Root, "other-home")).FullName;
        var stray = _fixture.StartDirect("/bin/sh", strayBin, "--home", _fixture.Home, "run");
        var bystander = _fixture.StartDirect("/bin/sh", strayBin, "--home", otherHome, "run");
        await LauncherFixture.Until(
            () => NeardProcessLauncherTests.ReadCommandLine(stray.Id).Contains("--home", StringComparison.Ordinal)
                && NeardProcessLauncherTests.ReadCommandLine(bystander.Id).Contains("--home", StringComparison.Ordinal),
            "the strays to run");

        var neard = await _fixture.StartAsync(_fixture.Spec(_fixture.Script(LauncherFixture.Cooperative)));

        Assert.True(IsGoneOrZombie(stray.Id), "the stray must be gone before the new neard starts");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stray.WaitForExitAsync(timeout.Token);
        Assert.Equal(137, stray.ExitCode);
        Assert.False(bystander.HasExited);
        Assert.False(neard.Exited.IsCompleted);
    }

    private static bool IsGoneOrZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
