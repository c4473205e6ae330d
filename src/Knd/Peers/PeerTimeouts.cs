namespace Knd.Peers;

/// <summary>The peer channel's own timeouts: each call ends well before the next one of its kind is due.</summary>
internal static class PeerTimeouts
{
    /// <summary>TCP connect to a member: loopback or a LAN answers in milliseconds; a host that is down must not hold a heartbeat.</summary>
    public static readonly TimeSpan Connect = TimeSpan.FromMilliseconds(200);

    /// <summary>A member's check that Consul answers it (<c>/v1/status/leader</c>) before it answers a promise request.</summary>
    public static readonly TimeSpan ConsulProbe = TimeSpan.FromMilliseconds(300);

    /// <summary>One heartbeat: below the heartbeat interval, since a late heartbeat is worth nothing once the next is due.</summary>
    public static TimeSpan Heartbeat(PeerRules rules) => rules.HeartbeatInterval * 0.8;

    /// <summary>
    /// One promise request: below the request interval, so one round's answers are in before the next
    /// round; above the member's Consul probe plus its wait for its machine's answer.
    /// </summary>
    public static TimeSpan Promise(PeerRules rules) => rules.PromiseRequestInterval * 0.8;
}
