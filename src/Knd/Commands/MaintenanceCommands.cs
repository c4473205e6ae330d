using System.CommandLine;
using System.Text.Json;
using Knd.Control;
using Knd.Http;

namespace Knd.Commands;

/// <summary>
/// <c>knd maintenance-shutdown</c>, <c>knd maintenance-restart</c> and <c>knd maintenance-status</c>:
/// stop neard at a height with no block or chunk production duty (docs/cli.md has the rules).
/// </summary>
internal static class MaintenanceCommands
{
    public static Command CreateShutdown(ControlCliSettings? settings = null) => CreateSchedule(
        MaintenanceKind.Shutdown,
        "maintenance-shutdown",
        "Stop neard at a height inside a window with no production duty for this validator (the largest window unless told otherwise), hand over leadership, and exit.",
        settings ?? ControlCliSettings.Default);

    public static Command CreateRestart(ControlCliSettings? settings = null) => CreateSchedule(
        MaintenanceKind.Restart,
        "maintenance-restart",
        "Stop neard at a height inside a window with no production duty for this validator, hand over leadership, then restart neard and rejoin as passive.",
        settings ?? ControlCliSettings.Default);

    public static Command CreateStatus(ControlCliSettings? settings = null) => ControlCommand.Create(
        "maintenance-status",
        "Show the scheduled maintenance shutdown or restart, if any.",
        settings ?? ControlCliSettings.Default,
        async (parse, knd) =>
        {
            var call = await knd.GetAsync(ControlRoutes.Maintenance);
            return !call.Ok ? await knd.FailAsync(call.Error)
                : knd.Json ? await knd.PrintJsonAsync(call)
                : await PrintAsync(knd, call.Read(ControlJsonContext.Default.MaintenanceStatusView));
        });

    /// <summary>The human form of a maintenance status: what is scheduled, how far away, in which window.</summary>
    public static async Task<int> PrintAsync(ControlInvocation knd, MaintenanceStatusView status)
    {
        var table = new TextTable();
        if (status.Kind is null)
        {
            table.Add("scheduled", "nothing");
        }
        else
        {
            table.Add("scheduled", status.ShutdownAt is { } at ? $"{status.Kind} at height {at}" : $"{status.Kind} (now)");
            table.Add("current height", status.CurrentHeight is { } head && status.ShutdownAt is { } target && target > head
                ? $"{head} ({target - head} heights to go)"
                : status.CurrentHeight?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (status.WindowStart is { } start && status.WindowEnd is { } end)
            {
                table.Add("window", $"[{start}, {end}) (heights {start} to {end - 1}, no duty)");
            }
        }

        table.Add("message", status.Message);
        await table.WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }

    private static Command CreateSchedule(MaintenanceKind kind, string name, string description, ControlCliSettings settings)
    {
        var arguments = new MaintenanceArguments();
        return ControlCommand.Create(
            name,
            description,
            settings,
            arguments.Symbols,
            parse => arguments.Read(parse, kind).Error,
            (parse, knd) =>
            {
                var (request, timeout, _) = arguments.Read(parse, kind);
                return RunAsync(knd, request!, parse.GetValue(arguments.Wait), timeout);
            });
    }

    private static async Task<int> RunAsync(ControlInvocation knd, MaintenanceRequest request, bool wait, TimeSpan timeout)
    {
        // The neard pid before the restart, to recognise the new neard by.
        int? pidBefore = null;
        if (wait && request.Kind == MaintenanceKind.Restart)
        {
            var before = await knd.GetAsync(ControlRoutes.Status);
            pidBefore = before.Ok ? before.Read(HttpJsonContext.Default.StatusReport).NeardPid : null;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(MaintenanceBody.From(request), ControlRequestJsonContext.Default.MaintenanceBody);
        var call = await knd.PostAsync(ControlRoutes.Maintenance, body);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        var kindText = MaintenanceKinds.ToWire(request.Kind);
        if (knd.Json)
        {
            await knd.PrintJsonAsync(call);
        }
        else if (request.Cancel)
        {
            // The fixed line kuutamod#739 asked for, not the daemon's schedule message.
            await knd.Output.WriteLineAsync($"{kindText} cancelled");
        }
        else
        {
            await PrintAsync(knd, call.Read(ControlJsonContext.Default.MaintenanceStatusView));
        }

        if (!wait)
        {
            return ExitCodes.Ok;
        }

        return request.Kind == MaintenanceKind.Shutdown
            ? await MaintenanceWait.UntilShutdownAsync(knd, timeout)
            : await MaintenanceWait.UntilRestartedAsync(knd, pidBefore, timeout);
    }
}
