using System.CommandLine;
using System.Text.Json;
using Knd.Configuration;
using Knd.Control;

namespace Knd.Commands;

/// <summary>
/// <c>knd list [--watch]</c>: every member of the validator's cluster, read through the local daemon's
/// control socket (<c>GET /members</c>), so it uses the daemon's lock-service connection and credentials
/// like every other control command.
/// </summary>
internal static class ListCommand
{
    /// <summary>Clears a terminal and puts the cursor home, so <c>--watch</c> redraws in place.</summary>
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public static Command Create(ControlCliSettings? settings = null)
    {
        var watch = new Option<bool>("--watch") { Description = "Keep watching: redraw in place on a terminal, print one table (or JSON line) per change when piped; until Ctrl-C." };
        return ControlCommand.Create(
            "list",
            "List every member of this validator's cluster: role, state, head and lag, health, production, tags, last renewal age, live or stale, and the pause flag.",
            settings ?? ControlCliSettings.Default,
            [watch],
            _ => null,
            (parse, knd) => parse.GetValue(watch) ? WatchAsync(knd) : OnceAsync(knd));
    }

    private static async Task<int> OnceAsync(ControlInvocation knd)
    {
        var call = await knd.GetAsync(ControlRoutes.Members);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        await knd.Output.WriteAsync(Render(knd, call));
        return ExitCodes.Ok;
    }

    private static async Task<int> WatchAsync(ControlInvocation knd)
    {
        var inPlace = !knd.Json && ReferenceEquals(knd.Output, Console.Out) && !Console.IsOutputRedirected;
        var shown = string.Empty;
        do
        {
            string text;
            string change;
            try
            {
                var call = await knd.GetAsync(ControlRoutes.Members);
                text = call.Ok ? Render(knd, call) : $"knd list: {call.Error}\n";
                change = inPlace || !call.Ok ? text : ChangeKey(call);
            }
            catch (DaemonUnreachableException ex)
            {
                text = $"knd list: {ex.Message}\n";
                change = text;
            }
            catch (OperationCanceledException) when (knd.CancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }

            if (change != shown)
            {
                shown = change;
                await knd.Output.WriteAsync(inPlace ? ClearScreen + text : knd.Json ? text : text + "\n");
                await knd.Output.FlushAsync(CancellationToken.None);
            }
        }
        while (await knd.PauseAsync());

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Piped, a new table (or JSON line) is printed when the members' facts change, not each second
    /// because the renewal ages grew: the ages and renewal times are left out of the comparison (a
    /// member turning stale still changes its <c>stale</c> flag).
    /// </summary>
    private static string ChangeKey(ControlCall call)
    {
        var list = call.Read(ControlJsonContext.Default.MemberListView);
        var facts = list with { Members = [.. list.Members.Select(m => m with { RenewedAt = null, RenewalAgeSeconds = null })] };
        return JsonSerializer.Serialize(facts, ControlJsonContext.Default.MemberListView);
    }

    private static string Render(ControlInvocation knd, ControlCall call) =>
        knd.Json ? call.Json + "\n" : MemberTable.Render(call.Read(ControlJsonContext.Default.MemberListView));
}

/// <summary><c>knd remove-member NODE</c>: deletes the members/ record of a node whose session is gone.</summary>
internal static class RemoveMemberCommand
{
    public static Command Create(ControlCliSettings? settings = null)
    {
        var node = new Argument<string>("NODE") { Description = "The node whose stale member record to delete (never the leader's, never a live one)." };
        return ControlCommand.Create(
            "remove-member",
            "Delete a stale member record (a node whose knd is gone) from this validator's cluster.",
            settings ?? ControlCliSettings.Default,
            [node],
            parse => parse.GetValue(node) is { } id && (id.Length == 0 || id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
                ? $"NODE: {ValueText.Quote(id)} is not a node id (non-empty, no spaces or control characters)"
                : null,
            (parse, knd) => RunAsync(knd, parse.GetValue(node)!));
    }

    private static async Task<int> RunAsync(ControlInvocation knd, string node)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new RemoveMemberBody(node), ControlRequestJsonContext.Default.RemoveMemberBody);
        var call = await knd.PostAsync(ControlRoutes.RemoveMember, body);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        if (knd.Json)
        {
            return await knd.PrintJsonAsync(call);
        }

        await knd.Output.WriteLineAsync($"removed the member record of {node}");
        return ExitCodes.Ok;
    }
}
