namespace Knd.IntegrationTests.Deploy;

public sealed class ShellcheckTests
{
    [Fact]
    public async Task Shellcheck_EveryShellScriptInTheRepo_IsClean()
    {
        var tool = ExternalTool.Require("shellcheck", "shellcheck");
        var scripts = RepoPaths.FilesEndingWith(".sh");
        Assert.Contains(scripts, s => RepoPaths.Relative(s) == Path.Combine("deploy", "release.sh"));

        var result = await tool.RunAsync(["--format=gcc", .. scripts], TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.Describe("shellcheck " + string.Join(' ', scripts.Select(RepoPaths.Relative))));
    }
}
