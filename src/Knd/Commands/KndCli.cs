using System.CommandLine;

namespace Knd.Commands;

/// <summary>The knd command tree: the daemon, its control CLI and the development tools.</summary>
internal static class KndCli
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("knd: active-passive failover supervisor for NEAR validators (a kuutamod successor).");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DevConsulCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ActiveValidatorCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(RemoveMemberCommand.Create());
        root.Subcommands.Add(MaintenanceCommands.CreateShutdown());
        root.Subcommands.Add(MaintenanceCommands.CreateRestart());
        root.Subcommands.Add(MaintenanceCommands.CreateStatus());
        root.Subcommands.Add(SwitchoverCommand.Create());
        root.Subcommands.Add(PauseCommands.CreatePause());
        root.Subcommands.Add(PauseCommands.CreateResume());
        root.Subcommands.Add(LocalnetCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create(CreateRootCommand));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = CreateRootCommand();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // `knd run` is configured by operators and service managers: a bad option there is a
            // configuration error (EX_CONFIG), reported on one line, not a usage dump.
            var command = parsed.CommandResult.Command;
            if (command.Name == "run")
            {
                Console.Error.WriteLine($"knd: {parsed.Errors[0].Message}");
                return ExitCodes.Config;
            }

            // A control command (it has --json) fails like any other failure of it: a script that
            // asked for JSON gets JSON.
            if (command.Options.Any(o => o.Name == "--json"))
            {
                return await CliFailures.WriteAsync(command.Name, parsed.Errors[0].Message, ExitCodes.Usage, args.Contains("--json"), Console.Out, Console.Error);
            }

            Console.Error.WriteLine($"knd: {parsed.Errors[0].Message}");
            return ExitCodes.Usage;
        }

        // System.CommandLine turns SIGTERM into a cancelled token and, by default, ends the process
        // 2 s later. knd run's graceful stop (SIGTERM to neard, up to --neard-stop-timeout, SIGKILL,
        // then release and destroy) needs longer, and being cut short leaves the lock to expire.
        var configuration = isRunCommand(parsed) ? new InvocationConfiguration { ProcessTerminationTimeout = FailoverTimings.Defaults.RunTerminationTimeout } : new InvocationConfiguration();
        return await parsed.InvokeAsync(configuration);

        static bool isRunCommand(ParseResult result) => result.CommandResult.Command.Name == "run";
    }
}
