using Knd.Control;
using Knd.Http;

namespace Knd.Commands;

/// <summary>
/// <c>--wait</c> of the maintenance commands. A shutdown is done when nothing serves the socket
/// any more (knd exited). A restart is done when nothing is scheduled and neard runs under a new
/// pid. Either is "no longer scheduled" (exit 1) when the schedule disappears while knd keeps
/// running as before, seen on <see cref="ConfirmPolls"/> polls in a row: one poll could fall in
/// the moment between neard's stop and knd's next state.
/// </summary>
internal static class MaintenanceWait
{
    private const int ConfirmPolls = 3;

    public static async Task<int> UntilShutdownAsync(ControlInvocation knd, TimeSpan timeout)
    {
        await knd.NoteAsync("waiting for knd to stop neard and exit...");
        var started = knd.Settings.Time.GetTimestamp();
        var unscheduled = 0;
        while (true)
        {
            try
            {
                var maintenance = await ReadAsync(knd);
                var state = maintenance.Kind is null ? (await ReadStatusAsync(knd))?.State : null;
                unscheduled = maintenance.Kind is null && state != "Shutdown" ? unscheduled + 1 : 0;
                if (unscheduled >= ConfirmPolls)
                {
                    return await knd.FailAsync($"the shutdown is no longer scheduled (cancelled?); knd says: {maintenance.Message}");
                }
            }
            catch (DaemonUnreachableException ex) when (ex.DaemonGone)
            {
                await knd.NoteAsync("knd has exited");
                return ExitCodes.Ok;
            }
            catch (DaemonUnreachableException)
            {
                // Busy or exiting: ask again.
            }

            if (await GiveUpAsync(knd, started, timeout, "the shutdown stays scheduled in knd") is { } code)
            {
                return code;
            }
        }
    }

    public static async Task<int> UntilRestartedAsync(ControlInvocation knd, int? pidBefore, TimeSpan timeout)
    {
        await knd.NoteAsync(pidBefore is { } old ? $"waiting for neard (pid {old}) to stop and restart..." : "waiting for neard to stop and restart...");
        var started = knd.Settings.Time.GetTimestamp();
        var unscheduled = 0;
        while (true)
        {
            try
            {
                var maintenance = await ReadAsync(knd);
                var pid = maintenance.Kind is null ? (await ReadStatusAsync(knd))?.NeardPid : null;
                if (maintenance.Kind is null && pid is { } now && now != pidBefore)
                {
                    await knd.NoteAsync($"neard restarted (pid {now})");
                    return ExitCodes.Ok;
                }

                unscheduled = maintenance.Kind is null && pid == pidBefore ? unscheduled + 1 : 0;
                if (unscheduled >= ConfirmPolls)
                {
                    return await knd.FailAsync($"the restart is no longer scheduled and neard still runs as before (cancelled?); knd says: {maintenance.Message}");
                }
            }
            catch (DaemonUnreachableException)
            {
                // knd itself may be restarting: ask again until the timeout.
            }

            if (await GiveUpAsync(knd, started, timeout, "the restart stays scheduled in knd") is { } code)
            {
                return code;
            }
        }
    }

    private static async Task<MaintenanceStatusView> ReadAsync(ControlInvocation knd)
    {
        var call = await knd.GetAsync(ControlRoutes.Maintenance);
        return call.Ok
            ? call.Read(ControlJsonContext.Default.MaintenanceStatusView)
            : throw new DaemonUnreachableException(UnreachableReason.Other, call.Error);
    }

    private static async Task<StatusReport?> ReadStatusAsync(ControlInvocation knd)
    {
        var call = await knd.GetAsync(ControlRoutes.Status);
        return call.Ok ? call.Read(HttpJsonContext.Default.StatusReport) : null;
    }

    /// <summary>Waits one poll interval; an exit code when the wait is over (timeout or Ctrl-C).</summary>
    private static async Task<int?> GiveUpAsync(ControlInvocation knd, long started, TimeSpan timeout, string consequence)
    {
        if (WaitTimeout.Expired(knd, started, timeout))
        {
            return await knd.FailAsync($"gave up waiting after {WaitTimeout.Describe(timeout)}; {consequence}");
        }

        return await knd.PauseAsync() ? null : await knd.FailAsync($"stopped waiting; {consequence}");
    }
}
