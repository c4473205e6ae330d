namespace Knd.Hooks;

/// <summary>One role change for the <c>--on-role-change</c> hook: <c>leader</c>, <c>passive</c> or <c>stopped</c>, and why.</summary>
internal sealed record RoleChange(string OldRole, string Role, string Reason);

/// <summary>
/// Turns the machine's state into the hooks' roles: <c>leader</c> once neard runs with the key
/// (promotion finished), <c>passive</c> once the node left Validating (neard stopped, lock released),
/// <c>stopped</c> instead when a leader's demotion ends in shutdown. A promotion that never finished
/// is no role change; a passive that stops is none either (it never signed).
/// </summary>
internal sealed class RoleTracker
{
    public const string Leader = "leader";
    public const string Passive = "passive";
    public const string Stopped = "stopped";

    /// <summary>The role as last reported; every node starts passive.</summary>
    public string Role { get; private set; } = Passive;

    /// <summary>The change the machine's latest state makes, or null. <paramref name="lastDemotion"/> names why a leader left.</summary>
    public RoleChange? Observe(SupervisorState state, bool hasValidatorRole, DemotionReason? lastDemotion)
    {
        var next = Role switch
        {
            Passive when hasValidatorRole => Leader,
            Leader when state == SupervisorState.Shutdown => Stopped,
            Leader when state != SupervisorState.Validating => Passive,
            _ => Role,
        };
        if (next == Role)
        {
            return null;
        }

        var change = new RoleChange(Role, next, next == Leader ? "promoted" : Label((lastDemotion ?? DemotionReason.Shutdown).ToString()));
        Role = next;
        return change;
    }

    /// <summary>An enum name as the metrics' labels spell it (<c>SelfFence</c> → <c>self_fence</c>), like <c>knd_demotions_total{reason}</c>.</summary>
    public static string Label(string pascal) =>
        System.Text.RegularExpressions.Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant();
}
