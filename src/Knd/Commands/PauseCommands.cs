using System.CommandLine;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd pause</c> / <c>knd resume</c>: the cluster-wide switch for automatic failover.</summary>
internal static class PauseCommands
{
    public static Command CreatePause(ControlCliSettings? settings = null) => ControlCommand.Create(
        "pause",
        "Stop automatic failover for this validator, cluster-wide, until `knd resume`. The safety rules still hold: a leader that loses the lock still stops neard.",
        settings ?? ControlCliSettings.Default,
        (parse, knd) => RunAsync(knd, ControlRoutes.Pause));

    public static Command CreateResume(ControlCliSettings? settings = null) => ControlCommand.Create(
        "resume",
        "Resume automatic failover for this validator, cluster-wide.",
        settings ?? ControlCliSettings.Default,
        (parse, knd) => RunAsync(knd, ControlRoutes.Resume));

    private static async Task<int> RunAsync(ControlInvocation knd, string route)
    {
        var call = await knd.PostAsync(route);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        if (knd.Json)
        {
            return await knd.PrintJsonAsync(call);
        }

        var paused = call.Read(ControlJsonContext.Default.PauseState).Paused;
        await knd.Output.WriteLineAsync(paused
            ? "automatic failover paused for this validator (cluster-wide); `knd resume` turns it back on"
            : "automatic failover resumed for this validator (cluster-wide)");
        return ExitCodes.Ok;
    }
}
