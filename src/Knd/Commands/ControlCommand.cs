using System.CommandLine;
using System.Text.Json;
using Knd.Control;

namespace Knd.Commands;

/// <summary>
/// What every control command shares: <c>--control-socket</c> and <c>--json</c>, finding the
/// socket, and the exit codes (2 usage, 3 daemon unreachable, 1 refused or failed).
/// </summary>
internal static class ControlCommand
{
    public static Command Create(string name, string description, ControlCliSettings settings, Func<ParseResult, ControlInvocation, Task<int>> action) =>
        Create(name, description, settings, [], _ => null, action);

    /// <summary>
    /// A control command with its own arguments and options (<paramref name="symbols"/>), checked
    /// by <paramref name="validate"/> before anything else: a one-line usage error (exit 2), or null.
    /// </summary>
    public static Command Create(
        string name,
        string description,
        ControlCliSettings settings,
        IReadOnlyList<Symbol> symbols,
        Func<ParseResult, string?> validate,
        Func<ParseResult, ControlInvocation, Task<int>> action)
    {
        var socket = new Option<string?>("--control-socket")
        {
            Description = "The daemon's control socket (default: $KND_CONTROL_SOCKET, $KUUTAMO_CONTROL_SOCKET, or knd.sock in $KND_NEARD_HOME).",
            HelpName = "PATH",
        };
        var json = new Option<bool>("--json") { Description = "Print the daemon's JSON answer instead of a table." };
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.Options.Add(socket);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            if (validate(parse) is { } usage)
            {
                return await CliFailures.WriteAsync(name, usage, ExitCodes.Usage, asJson, output, error);
            }

            var path = ControlSocketPath.Resolve(parse.GetValue(socket), settings.Environment, out var problem);
            if (path is null)
            {
                return await CliFailures.WriteAsync(name, problem!, ExitCodes.Usage, asJson, output, error);
            }

            using var client = new ControlClient(path, settings.RequestTimeout);
            var invocation = new ControlInvocation(name, client, asJson, output, error, settings, cancellationToken);
            try
            {
                return await action(parse, invocation);
            }
            catch (DaemonUnreachableException ex)
            {
                return await invocation.FailAsync(ex.Message, ExitCodes.DaemonUnreachable);
            }
            catch (JsonException ex)
            {
                return await invocation.FailAsync($"knd answered with JSON this knd cannot read (a different version?): {ex.Message.ReplaceLineEndings(" ")}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await invocation.FailAsync("interrupted");
            }
            catch (IOException ex)
            {
                // Writing the answer failed (stdout closed by `| head`, a full disk): say so in one line.
                return await CliFailures.WriteAsync(name, $"cannot write the answer: {ex.Message.ReplaceLineEndings(" ")}", ExitCodes.Failed, json: false, output, error);
            }
        });
        return command;
    }
}
