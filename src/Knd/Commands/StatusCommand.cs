using System.CommandLine;
using System.Globalization;
using Knd.Control;
using Knd.Http;

namespace Knd.Commands;

/// <summary><c>knd status</c>: this node as the daemon sees it (the JSON of <c>GET /status</c>).</summary>
internal static class StatusCommand
{
    public static Command Create(ControlCliSettings? settings = null) => ControlCommand.Create(
        "status",
        "Show this node: state, role, leader, neard pid, block height, syncing, session, fencing index, paused.",
        settings ?? ControlCliSettings.Default,
        RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, ControlInvocation knd)
    {
        var call = await knd.GetAsync(ControlRoutes.Status);
        if (!call.Ok)
        {
            return await knd.FailAsync(call.Error);
        }

        if (knd.Json)
        {
            return await knd.PrintJsonAsync(call);
        }

        var status = call.Read(HttpJsonContext.Default.StatusReport);
        await new TextTable()
            .Add("node", status.NodeId)
            .Add("account", status.AccountId)
            .Add("state", status.State)
            .Add("role", status.IsLeader ? "leader (active validator)" : "passive")
            .Add("leader", status.LeaderNodeId ?? "none")
            .Add("neard pid", status.NeardPid)
            .Add("height", status.BlockHeight)
            .Add("syncing", status.Syncing)
            .Add("session", status.SessionId)
            .Add("renew age", status.LastRenewAgeMs is { } ms ? FormatAge(ms) : null)
            .Add("fencing index", status.FencingIndex?.ToString(CultureInfo.InvariantCulture))
            .Add("paused", status.Paused)
            .Add("peer modes", status.Peers is { } modes ? PeerModes(modes) : null)
            .Add("failsafe", status.Peers is { Failsafe: true } p ? Failsafe(p) : null)
            .Add("last error", status.LastError)
            .WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }

    private static string PeerModes(PeerStatus peers) =>
        (peers.FastFailover, peers.Failsafe) switch
        {
            (true, true) => "fast failover, failsafe",
            (true, false) => "fast failover",
            (false, true) => "failsafe",
            _ => "off",
        };

    private static string Failsafe(PeerStatus peers)
    {
        var parts = new List<string>();
        if (peers.FailsafeCovered)
        {
            parts.Add($"covered by every member's promise ({peers.Promises})");
        }

        if (peers.Reanchoring)
        {
            parts.Add("taking the lost lock back");
        }

        if (peers.PromisedForMs is { } ms)
        {
            parts.Add($"promised a leader: no takeover for {FormatAge(ms)}");
        }

        return parts.Count == 0 ? "idle" : string.Join("; ", parts);
    }

    private static string FormatAge(long milliseconds) =>
        milliseconds < 1000
            ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");
}
