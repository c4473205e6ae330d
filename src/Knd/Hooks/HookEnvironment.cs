using System.Collections;

namespace Knd.Hooks;

/// <summary>
/// The environment a hook runs with: knd's own, minus anything that could carry a secret or point at
/// key material, plus the <c>KND_*</c> variables that describe the event. The Consul token (knd reads
/// it from a file), the etcd password and the validator key never reach a hook, in its environment or
/// its arguments (docs/operations.md, "Hooks").
/// </summary>
internal static class HookEnvironment
{
    public const string Role = "KND_ROLE";
    public const string OldRole = "KND_OLD_ROLE";
    public const string Reason = "KND_REASON";
    public const string NodeId = "KND_NODE_ID";
    public const string AccountId = "KND_ACCOUNT_ID";

    /// <summary>
    /// Inherited names that are removed. knd's and kuutamod's own option variables (<c>KND_*</c>,
    /// <c>KUUTAMO_*</c>) name the key and token files; systemd's credentials directory holds the keys;
    /// Consul's and etcd's client variables carry tokens and passwords.
    /// </summary>
    private static readonly string[] StrippedPrefixes = ["KND_", "KUUTAMO_", "CONSUL_", "ETCD", "NOMAD_TOKEN", "VAULT_"];

    /// <summary>Any other inherited name containing one of these (case-insensitive) is removed too.</summary>
    private static readonly string[] SecretWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE", "_KEY"];

    /// <summary>Whether an inherited variable is kept for the hook.</summary>
    public static bool Keeps(string name) =>
        !StrippedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        && !SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of <paramref name="inherited"/> (knd's environment when null) that the hook must not see.</summary>
    public static IReadOnlyList<string> Stripped(IDictionary? inherited = null) =>
        [.. (inherited ?? Environment.GetEnvironmentVariables()).Keys.Cast<string>().Where(name => !Keeps(name))];

    /// <summary>The variables of a role change.</summary>
    public static Dictionary<string, string> ForRoleChange(string nodeId, string accountId, string role, string oldRole, string reason) => new(StringComparer.Ordinal)
    {
        [Role] = role,
        [OldRole] = oldRole,
        [Reason] = reason,
        [NodeId] = nodeId,
        [AccountId] = accountId,
    };

    /// <summary>The variables of a pre-promote hook: the role it is about to take.</summary>
    public static Dictionary<string, string> ForPrePromote(string nodeId, string accountId) =>
        ForRoleChange(nodeId, accountId, "leader", "passive", "pre_promote");
}
