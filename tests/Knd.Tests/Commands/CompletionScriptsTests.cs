using System.Diagnostics;
using Knd.Commands;

namespace Knd.Tests.Commands;

/// <summary><c>knd completion</c>: scripts written from the command tree, so they complete every command and option.</summary>
public sealed class CompletionScriptsTests
{
    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("fish")]
    public void Script_NamesEveryVisibleCommandAndEachOfItsOptions(string shell)
    {
        var root = KndCli.CreateRootCommand();
        var script = CompletionScripts.For(shell, root);

        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            Assert.Contains(command.Name, script, StringComparison.Ordinal);
            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                var word = shell == "fish" && option.Name.StartsWith("--", StringComparison.Ordinal) ? $"-l {option.Name[2..]}" : option.Name;
                Assert.Contains(word, script, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("knd sw", "switchover")]
    [InlineData("knd switchover --w", "--wait")]
    [InlineData("knd run --neard-h", "--neard-home")]
    [InlineData("knd comp", "completion")]
    public void Bash_CompletesInARealBash(string line, string expected)
    {
        var script = Path.Combine(Path.GetTempPath(), $"knd-completion-{Guid.NewGuid():n}.bash");
        File.WriteAllText(script, CompletionScripts.For("bash", KndCli.CreateRootCommand()));
        try
        {
            var words = line.Split(' ');
            var probe = $"set -e; source '{script}'; COMP_WORDS=({string.Join(' ', words)}); COMP_CWORD={words.Length - 1}; _knd; printf '%s\\n' \"${{COMPREPLY[@]}}\"";
            using var bash = Process.Start(new ProcessStartInfo("bash", ["-c", probe]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = bash.StandardOutput.ReadToEnd();
            var errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();

            Assert.True(bash.ExitCode == 0, errors);
            Assert.Equal([expected], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void UnknownShell_IsOneLineNamingTheShells()
    {
        var parsed = KndCli.CreateRootCommand().Parse(["completion", "tcsh"]);

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("completion: \"tcsh\" is not a shell knd completes; use bash, zsh or fish", error.Message);
    }
}
