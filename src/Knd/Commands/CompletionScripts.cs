using System.CommandLine;
using System.Text;

namespace Knd.Commands;

/// <summary>
/// Shell completion scripts written from the command tree itself, so a new command or option is
/// completed without anyone editing a script: subcommands after <c>knd</c>, then that command's
/// options (long names and aliases) and subcommands.
/// </summary>
internal static class CompletionScripts
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static string For(string shell, RootCommand root) => shell switch
    {
        "bash" => Bash(root),
        "zsh" => Zsh(root),
        "fish" => Fish(root),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "not one of: bash, zsh, fish"),
    };

    /// <summary>The visible subcommands of <paramref name="root"/>, each with the words that may follow it.</summary>
    internal static List<(Command Command, List<string> Words)> Commands(RootCommand root) =>
        [.. root.Subcommands.Where(c => !c.Hidden).Select(c => (c, Words(c)))];

    private static List<string> Words(Command command) =>
        [.. command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
            .Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private static string Bash(RootCommand root)
    {
        var commands = Commands(root);
        var text = new StringBuilder();
        text.Append("# bash completion for knd: source <(knd completion bash), or save it as /usr/share/bash-completion/completions/knd\n");
        text.Append("_knd() {\n");
        text.Append("    local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n");
        text.Append("    local words\n");
        text.Append("    if [ \"$COMP_CWORD\" -eq 1 ]; then\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"        words=\"{string.Join(' ', commands.Select(c => c.Command.Name))}\"\n");
        text.Append("    else\n");
        text.Append("        case \"${COMP_WORDS[1]}\" in\n");
        foreach (var (command, words) in commands)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"            {command.Name}) words=\"{string.Join(' ', words)}\" ;;\n");
        }

        text.Append("            *) words=\"\" ;;\n");
        text.Append("        esac\n");
        text.Append("    fi\n");
        text.Append("    mapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n");
        text.Append("}\n");
        text.Append("complete -o default -F _knd knd\n");
        return text.ToString();
    }

    private static string Zsh(RootCommand root)
    {
        var commands = Commands(root);
        var text = new StringBuilder();
        text.Append("#compdef knd\n");
        text.Append("# zsh completion for knd: source <(knd completion zsh), or save it as _knd in a directory of $fpath\n");
        text.Append("_knd() {\n");
        text.Append("    local -a commands\n");
        text.Append("    commands=(\n");
        foreach (var (command, _) in commands)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"        {ZshQuote(command.Name.Replace(":", "\\:", StringComparison.Ordinal) + ":" + FirstSentence(command.Description))}\n");
        }

        text.Append("    )\n");
        text.Append("    if (( CURRENT == 2 )); then\n");
        text.Append("        _describe 'knd command' commands\n");
        text.Append("        return\n");
        text.Append("    fi\n");
        text.Append("    case ${words[2]} in\n");
        foreach (var (command, words) in commands)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"        {command.Name}) compadd -- {string.Join(' ', words)} ;;\n");
        }

        text.Append("    esac\n");
        text.Append("    _files\n");
        text.Append("}\n");
        text.Append("compdef _knd knd\n");
        return text.ToString();
    }

    private static string Fish(RootCommand root)
    {
        var commands = Commands(root);
        var text = new StringBuilder();
        text.Append("# fish completion for knd: knd completion fish > ~/.config/fish/completions/knd.fish\n");
        text.Append("complete -c knd -f\n");
        foreach (var (command, _) in commands)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"complete -c knd -n __fish_use_subcommand -a {command.Name} -d {FishQuote(FirstSentence(command.Description))}\n");
        }

        foreach (var (command, _) in commands)
        {
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"complete -c knd -n '__fish_seen_subcommand_from {command.Name}' -a {sub.Name} -d {FishQuote(FirstSentence(sub.Description))}\n");
            }

            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                var names = string.Join(' ', option.Aliases.Prepend(option.Name).Distinct(StringComparer.Ordinal).Select(n => n.StartsWith("--", StringComparison.Ordinal) ? $"-l {n[2..]}" : $"-s {n.TrimStart('-')}"));
                var value = option.Arity.MaximumNumberOfValues > 0 ? " -r -F" : string.Empty;
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"complete -c knd -n '__fish_seen_subcommand_from {command.Name}' {names}{value} -d {FishQuote(FirstSentence(option.Description))}\n");
            }
        }

        return text.ToString();
    }

    private static string FirstSentence(string? description)
    {
        var text = (description ?? string.Empty).Replace('\n', ' ');
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? text[..end] : text.TrimEnd('.')).Trim();
    }

    private static string ZshQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string FishQuote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
