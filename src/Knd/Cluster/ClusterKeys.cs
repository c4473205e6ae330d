namespace Knd.Cluster;

/// <summary>
/// The Consul keys one validator's hosts share. They live under the lock key (kuutamod's
/// <c>kuutamod-leader/&lt;account&gt;</c>) plus a slash, so the ACL that lets knd take the lock
/// (<c>key_prefix "kuutamod-leader/"</c>) covers them, and kuutamod hosts never read them.
/// </summary>
internal sealed class ClusterKeys(string lockKey)
{
    public string LockKey => lockKey;

    public string Prefix => lockKey + "/";

    /// <summary>Present with <c>{"paused":true}</c> while automatic failover is paused.</summary>
    public string Pause => Prefix + "pause";

    /// <summary>The current (or last) planned handover and its phase.</summary>
    public string Switchover => Prefix + "switchover";

    public string MembersPrefix => Prefix + "members/";

    /// <summary>Each host's own summary, held with its session so it vanishes (unlocks) when the host does.</summary>
    public string Member(string nodeId) => MembersPrefix + nodeId;
}
