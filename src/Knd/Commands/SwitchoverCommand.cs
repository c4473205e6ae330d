using System.CommandLine;
using System.Text.Json;
using Knd.Configuration;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd switchover [--to NODE] [--wait] [--timeout DURATION]</c>: a planned handover to a synced passive.</summary>
internal static class SwitchoverCommand
{
    /// <summary>A handover waits for a duty-free window, which is usually minutes away at most.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(30);

    public static Command Create(ControlCliSettings? settings = null)
    {
        var to = new Option<string?>("--to") { HelpName = "NODE", Description = "The passive node to hand over to (default: any synced passive)." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the handover is done (exit 0) or failed (exit 1)." };
        var timeout = new Option<string?>("--timeout")
        {
            HelpName = "DURATION",
            Description = "With --wait: give up waiting after this long (default 30m; 0 for no limit). The switchover goes on.",
        };
        return ControlCommand.Create(
            "switchover",
            "Hand the validator over to a synced passive node, inside a window with no production duty.",
            settings ?? ControlCliSettings.Default,
            [to, wait, timeout],
            parse => Validate(parse.GetValue(to), parse.GetValue(timeout), parse.GetValue(wait)),
            (parse, knd) => RunAsync(knd, parse.GetValue(to), parse.GetValue(wait), WaitTimeout.Parse(parse.GetValue(timeout), DefaultWaitTimeout, parse.GetValue(wait), out _) ?? DefaultWaitTimeout));
    }

    private static string? Validate(string? to, string? timeout, bool wait)
    {
        if (to is not null && (to.Length == 0 || to.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            return $"--to: {ValueText.Quote(to)} is not a node id (non-empty, no spaces or control characters)";
        }

        _ = WaitTimeout.Parse(timeout, DefaultWaitTimeout, wait, out var error);
        return error;
    }

    private static async Task<int> RunAsync(ControlInvocation knd, string? to, bool wait, TimeSpan timeout)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SwitchoverBody(to), ControlRequestJsonContext.Default.SwitchoverBody);
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
        var reported = string.Empty;
        while (true)
        {
            if (status.Phase != reported && !knd.Json)
            {
                await knd.NoteAsync($"{status.Phase}: {status.Message}");
                reported = status.Phase;
            }

            switch (status.Phase)
            {
                case "done":
                    return knd.Json ? await knd.PrintJsonAsync(call) : await PrintAsync(knd, status);
                case "failed":
                    return await knd.FailAsync($"the switchover failed: {status.Message}");
                case "none":
                    return await knd.FailAsync($"no switchover is in progress any more (knd restarted?): {status.Message}");
            }

            if (WaitTimeout.Expired(knd, started, timeout))
            {
                return await knd.FailAsync($"gave up waiting after {WaitTimeout.Describe(timeout)}; the switchover is still {status.Phase} in knd");
            }

            if (!await knd.PauseAsync())
            {
                return await knd.FailAsync($"stopped waiting; the switchover is still {status.Phase} in knd");
            }

            try
            {
                call = await knd.GetAsync(ControlRoutes.Switchover);
                if (call.Ok)
                {
                    status = call.Read(ControlJsonContext.Default.SwitchoverStatus);
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
            .WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }
}
