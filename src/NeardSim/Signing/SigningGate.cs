using NeardSim.Faults;
using NeardSim.Node;

namespace NeardSim.Signing;

/// <summary>Whether this node signs at its duty heights now, and if not, why.</summary>
internal static class SigningGate
{
    /// <summary>Null when the node signs its duty heights; otherwise the reason it does not.</summary>
    public static string? WhyNot(NodeState state, FaultState faults)
    {
        if (state.ValidatorKey is null)
        {
            return "no validator key";
        }

        if (!state.IsSynced)
        {
            return "syncing";
        }

        if (faults.NoSignReason is { } noSign)
        {
            return noSign;
        }

        return state.IsCatchingUp ? "the hot-swapped key has not caught up yet" : null;
    }
}
