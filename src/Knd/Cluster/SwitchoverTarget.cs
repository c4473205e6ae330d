using System.Diagnostics.CodeAnalysis;

namespace Knd.Cluster;

/// <summary>
/// Which passive a requested switchover hands over to: the named one if it is a ready passive,
/// else the ready passive with the highest head; or why there is none. Pure: it reads one
/// <see cref="ClusterObservation"/>; the caller read the lock holder and writes the request.
/// </summary>
internal static class SwitchoverTarget
{
    public static SwitchoverChoice Choose(ClusterObservation cluster, string leaderNodeId, string? requested)
    {
        if (cluster.Switchover is { IsOpen: true } open)
        {
            return SwitchoverChoice.Refuse($"a switchover {open.From} -> {open.To} is already {open.Phase}");
        }

        var ready = cluster.Members.Where(m => m.ReadyPassive && m.Info.NodeId != leaderNodeId).ToList();
        if (requested is not { } to)
        {
            return cluster.ReadiestPassive(leaderNodeId) is { } highest
                ? SwitchoverChoice.To(highest)
                : SwitchoverChoice.Refuse("no synced, healthy passive to hand over to");
        }

        if (to == leaderNodeId)
        {
            return SwitchoverChoice.Refuse($"{to} is already the active validator");
        }

        if (ready.FirstOrDefault(m => m.Info.NodeId == to) is { } named)
        {
            return SwitchoverChoice.To(named);
        }

        var known = cluster.Members.FirstOrDefault(m => m.Info.NodeId == to);
        var why = known is null ? "is not a member of this validator's cluster"
            : !known.Alive ? "has no live Consul session"
            : $"is {known.Info.State}, synced={known.Info.Synced}, healthy={known.Info.Healthy}, held_off={known.Info.HeldOff}";
        return SwitchoverChoice.Refuse($"cannot switch over to {to}: it {why}");
    }
}

/// <summary>The member to hand over to, or the one-line reason there is none.</summary>
internal sealed record SwitchoverChoice(Member? Target, string? Refusal)
{
    [MemberNotNullWhen(true, nameof(Target))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Ok => Target is not null;

    public static SwitchoverChoice To(Member target) => new(target, null);

    public static SwitchoverChoice Refuse(string reason) => new(null, reason);
}
