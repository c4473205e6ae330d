using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Knd.Configuration;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd switchover [--to NODE] [--wait] [--timeout DURATION]</c>: a planned handover to a synced passive.</summary>
internal static class SwitchoverCommand
{
    /// <summary>A handover waits for a duty-free window, which is usually minutes away at most.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long <c>--wait</c> lets the daemon's view of the cluster (its watch) catch up with the request
    /// before another record there, or none, means the request is gone: the daemon already waits up to
    /// <see cref="FailoverTimings.ControlEchoTimeout"/> (2 s) before it answers.
    /// </summary>
    private static readonly TimeSpan ViewCatchUp = TimeSpan.FromSeconds(10);

    public static Command Create(ControlCliSettings? settings = null)
    {
        var to = new Option<string?>("--to") { HelpName = "NODE", Description = "The passive node to hand over to (default: any synced passive)." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the handover is done (exit 0) or failed (exit 1)." };
        var timeout = new Option<string?>("--timeout")
        {
            HelpName = "DURATION",
            Description = "With --wait: give up waiting after this long (default 30m; 0 for no limit). The switchover goes on.",
        };
        var cancel = new Option<bool>("--cancel") { Description = "Cancel the switchover that waits for its window (refused once it is handing over)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say which node would hand over to which, and why not if it cannot; write nothing." };
        return ControlCommand.Create(
            "switchover",
            "Hand the validator over to a synced passive node, inside a window with no production duty.",
            settings ?? ControlCliSettings.Default,
            [to, wait, timeout, cancel, dryRun],
            parse => Validate(parse.GetValue(to), parse.GetValue(timeout), parse.GetValue(wait), parse.GetValue(cancel), parse.GetValue(dryRun)),
            (parse, knd) => parse.GetValue(cancel)
                ? CancelAsync(knd)
                : RunAsync(knd, parse.GetValue(to), parse.GetValue(dryRun), parse.GetValue(wait), WaitTimeout.Parse(parse.GetValue(timeout), DefaultWaitTimeout, parse.GetValue(wait), out _) ?? DefaultWaitTimeout));
    }

    private static string? Validate(string? to, string? timeout, bool wait, bool cancel, bool dryRun)
    {
        if (cancel && (to is not null || wait || dryRun || timeout is not null))
        {
            return "--cancel takes no other option (it cancels whatever switchover waits)";
        }

        if (dryRun && (wait || timeout is not null))
        {
            return "--dry-run writes nothing, so there is nothing to --wait for";
        }

        if (to is not null && (to.Length == 0 || to.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            return $"--to: {ValueText.Quote(to)} is not a node id (non-empty, no spaces or control characters)";
        }

        _ = WaitTimeout.Parse(timeout, DefaultWaitTimeout, wait, out var error);
        return error;
    }

    private static async Task<int> CancelAsync(ControlInvocation knd)
    {
        var call = await knd.PostAsync(ControlRoutes.SwitchoverCancel);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        return knd.Json ? await knd.PrintJsonAsync(call) : await PrintAsync(knd, call.Read(ControlJsonContext.Default.SwitchoverStatus));
    }

    private static async Task<int> RunAsync(ControlInvocation knd, string? to, bool dryRun, bool wait, TimeSpan timeout)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SwitchoverBody(to, dryRun ? true : null), ControlRequestJsonContext.Default.SwitchoverBody);
        var call = await knd.PostAsync(ControlRoutes.Switchover, body);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        if (!wait)
        {
            return knd.Json ? await knd.PrintJsonAsync(call) : await PrintAsync(knd, call.Read(ControlJsonContext.Default.SwitchoverStatus));
        }

        var started = knd.Settings.Time.GetTimestamp();
        var status = call.Read(ControlJsonContext.Default.SwitchoverStatus);
        var requested = status.Id;
        var seen = false;
        var progress = new SwitchoverProgress(knd, SwitchoverProgress.IsLive(knd));
        while (true)
        {
            await progress.ShowAsync(status);
            switch (status.Phase)
            {
                case "done":
                    await progress.EndAsync();
                    return knd.Json ? await knd.PrintJsonAsync(call) : await PrintAsync(knd, status);
                case "failed":
                    await progress.EndAsync();
                    return await knd.FailAsync($"the switchover failed: {status.Message}");
                case "cancelled":
                    await progress.EndAsync();
                    return await knd.FailAsync($"the switchover was cancelled: {status.Message}");
                case "none":
                    await progress.EndAsync();
                    return await knd.FailAsync($"no switchover is in progress any more (knd restarted?): {status.Message}");
            }

            if (WaitTimeout.Expired(knd, started, timeout))
            {
                await progress.EndAsync();
                return await knd.FailAsync($"gave up waiting after {WaitTimeout.Describe(timeout)}; the switchover is still {status.Phase} in knd");
            }

            if (!await knd.PauseAsync())
            {
                await progress.EndAsync();
                return await knd.FailAsync($"stopped waiting; the switchover is still {status.Phase} in knd");
            }

            try
            {
                call = await knd.GetAsync(ControlRoutes.Switchover);
                if (call.Ok)
                {
                    var read = call.Read(ControlJsonContext.Default.SwitchoverStatus);
                    if (read.Id == requested)
                    {
                        seen = true;
                        status = read;
                    }
                    else if (seen || knd.Settings.Time.GetElapsedTime(started) >= ViewCatchUp)
                    {
                        if (read.Phase != "none")
                        {
                            await progress.EndAsync();
                            return await knd.FailAsync($"switchover {requested} is no longer the daemon's: it shows switchover {read.Id} ({read.Phase}: {read.Message})");
                        }

                        status = read;
                    }

                    // Otherwise the daemon's view has not shown this request yet: another record there
                    // (the last switchover's "done") or none is not this one's end.
                }
            }
            catch (DaemonUnreachableException) when (!WaitTimeout.Expired(knd, started, timeout))
            {
                // Busy or restarting: ask again until the timeout.
            }
        }
    }

    private static async Task<int> PrintAsync(ControlInvocation knd, SwitchoverStatus status)
    {
        await new TextTable()
            .Add("phase", status.Phase)
            .Add("from", status.From)
            .Add("to", status.To ?? "any synced passive")
            .Add("message", status.Message)
            .Add("window", status.WindowHeight is { } height ? $"height {height.ToString(CultureInfo.InvariantCulture)}{SwitchoverProgress.Eta(status, knd.Settings.Time)}" : null)
            .WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }
}
