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
        "Show this node: state, role, leader, neard pid, block height, syncing, session, fencing index, paused, neard's shard tracking, and the validator's production (epoch counts, mischance, rank, streak, doppelganger).",
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
        var table = new TextTable()
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
            .Add("failsafe", status.Peers is { Failsafe: true } peers ? Failsafe(peers) : null)
            .Add("last error", status.LastError)
            .Add("tracking", status.Tracking?.Describe());
        if (status.Production is { } production)
        {
            AddProduction(table, production);
        }

        await table.WriteAsync(knd.Output);
        return ExitCodes.Ok;
    }

    /// <summary>The production watch's rows (docs/cli.md): the epoch per kind, the KIRA counters, the judgement, the doppelganger hold.</summary>
    private static void AddProduction(TextTable table, ProductionReport p)
    {
        table
            .Add("epoch start", p.EpochStartHeight)
            .Add("blocks", Duty(p.Blocks))
            .Add("chunks", Duty(p.Chunks))
            .Add("endorsements", Duty(p.Endorsements))
            .Add("mischance", p.Mischance is { } m ? Invariant($"{m} (confidence {p.MischanceConfidence})") : null)
            .Add("rank", p.Rank)
            .Add("streak", p.Streak)
            .Add("last produced", Height(p.LastProducedHeight, p.LastProducedBy))
            .Add("last missed", Height(p.LastMissedHeight, p.LastMissedBy))
            .Add("chain watch", p.WatchError is { } error ? "failing: " + error : p.ScannedHeight is { } scanned ? Invariant($"up to height {scanned}") : null)
            .Add("not producing", !p.NotProducing ? "no" : p.StepDownBlocked ? "yes: no ready passive, staying the leader" : "yes: handing over")
            .Add("doppelganger", p.DoppelgangerHeight is not { } seen ? "none seen"
                : p.DoppelgangerHoldMs is { } hold ? Invariant($"height {seen} signed outside the cluster; no promotion for {(hold >= 60_000 ? Invariant($"{hold / 60_000.0:0.0} min") : FormatAge(hold))}")
                : Invariant($"height {seen} signed outside the cluster; the hold has ended"));
    }

    private static string? Duty(DutyReport? duty) =>
        duty is { } d ? Invariant($"{d.Produced} of {d.Expected} produced, {d.Missed} missed") : null;

    private static string? Height(long? height, string? by) =>
        height is { } h ? Invariant($"{h} ({(by is null ? "no node held the lock" : "lock held by " + by)})") : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);


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

        if (peers.FailsafeMembers is { } members)
        {
            parts.Add($"member list {string.Join(", ", members)} ({(peers.FailsafeMembersPublished ? "published" : "not published yet: not covered")})");
        }

        return parts.Count == 0 ? "idle" : string.Join("; ", parts);
    }

    private static string FormatAge(long milliseconds) =>
        milliseconds < 1000
            ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");
}
