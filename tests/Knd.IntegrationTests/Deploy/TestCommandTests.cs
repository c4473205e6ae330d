using System.Text.RegularExpressions;

namespace Knd.IntegrationTests.Deploy;

/// <summary>
/// A newcomer runs the README's test command, not .ci/run: it must install every program the tests
/// require, and CI must run exactly it.
/// </summary>
public sealed partial class TestCommandTests
{
    [Fact]
    public void Readme_TestCommand_IsWhatCiRuns()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var block = ReadmeTestBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```sh block after 'Run the tests'");
        Assert.Equal("./test.sh", block.Groups["command"].Value.Trim());

        var ci = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".ci", "run"));
        Assert.Contains("exec ./test.sh", ci);
    }

    [Fact]
    public void TestScript_InstallsEveryProgramTheTestsRequire()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, "test.sh"));
        var installs = InstallLine().Matches(script).ToDictionary(m => m.Groups["tool"].Value, m => m.Groups["package"].Value);
        var sources = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var required = sources.SelectMany(f => RequireCall().Matches(File.ReadAllText(f)))
            .Select(m => (Tool: m.Groups["tool"].Value, Package: m.Groups["package"].Value))
            .Where(r => r.Package != "coreutils")
            .Distinct()
            .ToList();

        Assert.NotEmpty(required);
        foreach (var (tool, package) in required)
        {
            Assert.True(installs.TryGetValue(tool, out var installed) && installed == package, $"test.sh does not install {tool} (Debian package {package})");
        }
    }

    [GeneratedRegex(@"Run the tests.*?```sh\n(?<command>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeTestBlock();

    [GeneratedRegex(@"\[(?<tool>[\w-]+)\]=(?<package>[\w-]+)")]
    private static partial Regex InstallLine();

    [GeneratedRegex(@"ExternalTool\.Require\(""(?<tool>[\w-]+)"", ""(?<package>[\w-]+)""\)")]
    private static partial Regex RequireCall();
}
