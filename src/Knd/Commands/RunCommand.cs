using System.CommandLine;
using Knd.Configuration;
using Knd.Hosting;

namespace Knd.Commands;

/// <summary><c>knd run</c>: the failover daemon. Parses and validates every option before anything starts.</summary>
internal static class RunCommand
{
    /// <summary>Starts the daemon with validated options and returns the process exit code.</summary>
    internal static Func<KndRunOptions, FailoverTimings, CancellationToken, Task<int>> StartDaemon { get; set; } =
        (options, timings, cancellationToken) => KndDaemon.RunAsync(options, timings, options.Warnings, cancellationToken);

    /// <param name="environment">Reads environment variables; the process environment when null (tests pass their own).</param>
    /// <param name="startDaemon">Replaces <see cref="StartDaemon"/> for this command only (tests).</param>
    public static Command Create(
        Func<string, string?>? environment = null,
        Func<KndRunOptions, FailoverTimings, CancellationToken, Task<int>>? startDaemon = null)
    {
        var command = new Command(
            "run",
            "Run the failover daemon for one validator host. Every option can also be set by its environment variable "
            + "or in the --config file; precedence: flag > KND_* > KUUTAMO_* > config file > default. "
            + "A bad value exits with code 78 before anything starts.");
        var options = new List<(RunOptionSpec Spec, Option Option)>();
        foreach (var spec in RunOptionCatalog.All)
        {
            // Strings, not typed options: knd's own parser gives the one-line errors of contract §2.
            Option option = spec.IsList
                ? new Option<string[]>(spec.Flag) { Description = spec.HelpDescription, HelpName = spec.ValueName, Arity = ArgumentArity.OneOrMore }
                : spec.IsFlag
                    ? new Option<string?>(spec.Flag) { Description = spec.HelpDescription, HelpName = spec.ValueName, Arity = ArgumentArity.ZeroOrOne }
                    : new Option<string?>(spec.Flag) { Description = spec.HelpDescription, HelpName = spec.ValueName };
            command.Options.Add(option);
            options.Add((spec, option));
        }

        command.SetAction(async (ParseResult result, CancellationToken ct) =>
        {
            var flags = CollectFlags(result, options);
            var input = new RunOptionsInput(flags, environment ?? Environment.GetEnvironmentVariable);
            var parsed = RunOptionsParser.Parse(input);
            var stderr = result.InvocationConfiguration.Error;
            foreach (var warning in parsed.Warnings)
            {
                await stderr.WriteLineAsync($"knd run: warning: {warning}");
            }

            if (!parsed.IsSuccess)
            {
                await stderr.WriteLineAsync($"knd run: {parsed.Error}");
                return ExitCodes.Config;
            }

            return await (startDaemon ?? StartDaemon)(parsed.Options, parsed.Timings, ct);
        });
        return command;
    }

    private static Dictionary<string, IReadOnlyList<string>> CollectFlags(ParseResult result, List<(RunOptionSpec Spec, Option Option)> options)
    {
        var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (spec, option) in options)
        {
            if (result.GetResult(option) is { } given)
            {
                // A switch given alone (--fast-failover) means true.
                flags[spec.Name] = spec.IsFlag && given.Tokens.Count == 0 ? ["true"] : given.Tokens.Select(t => t.Value).ToList();
            }
        }

        return flags;
    }
}
