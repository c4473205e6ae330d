using System.CommandLine;
using System.Globalization;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd active-validator</c>: the node holding the lock, or none (exit 0 either way).</summary>
internal static class ActiveValidatorCommand
{
    public static Command Create(ControlCliSettings? settings = null) => ControlCommand.Create(
        "active-validator",
        "Show the node currently holding the validator lock (or that nobody does).",
        settings ?? ControlCliSettings.Default,
        RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, ControlInvocation knd)
    {
        var call = await knd.GetAsync(ControlRoutes.ActiveValidator);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        if (knd.Json)
        {
            return await knd.PrintJsonAsync(call);
        }

        if (call.Read(ControlJsonContext.Default.ActiveValidatorInfo) is not { } active)
        {
            await knd.Output.WriteLineAsync("no active validator: nobody holds the lock");
            return ExitCodes.Ok;
        }

        await new TextTable()
            .Add("node", active.NodeId)
            .Add("session", active.SessionId)
            .Add("since", active.Since?.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture))
            .WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }
}
