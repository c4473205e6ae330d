using System.CommandLine;

namespace Knd.Commands;

/// <summary><c>knd completion bash|zsh|fish</c>: prints the shell's completion script for knd.</summary>
internal static class CompletionCommand
{
    public static Command Create(Func<RootCommand> tree)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && !CompletionScripts.Shells.Contains(value))
            {
                result.AddError($"completion: \"{value}\" is not a shell knd completes; use bash, zsh or fish");
            }
        });
        var command = new Command("completion", "Print the shell completion script for knd (bash, zsh or fish), e.g. `source <(knd completion bash)`.") { shell };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await Console.Out.WriteAsync(CompletionScripts.For(parse.GetValue(shell)!, tree()).AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
