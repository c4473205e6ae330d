using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The operator hooks (docs/operations.md, "Hooks"): two shell commands and their bound.</summary>
internal sealed partial class RunOptionsParser
{
    /// <summary>Default bound of one hook run: a firewall rule or a STONITH call answers well within it.</summary>
    internal static readonly TimeSpan DefaultHookTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Longest bound of one hook run: a pre-promote hook adds up to this to a failover.</summary>
    internal static readonly TimeSpan MaxHookTimeout = TimeSpan.FromMinutes(10);

    private (string? OnRoleChange, string? PrePromote, TimeSpan Timeout) ParseHooks()
    {
        var timeout = ParseDuration(HookTimeout, DefaultHookTimeout, allowZero: false, max: MaxHookTimeout, maxReason: "the longest hook run knd allows");
        return (ParseHookCommand(OnRoleChange), ParseHookCommand(PrePromote), timeout);
    }

    private string? ParseHookCommand(RunOptionSpec spec)
    {
        if (FindSingle(spec) is not { } value)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value.Text))
        {
            throw Fail(value, "is empty: give a command for /bin/sh -c, or leave the option out");
        }

        if (value.Text.Contains('\0', StringComparison.Ordinal))
        {
            throw Fail(value, "contains a NUL character, which no command line can hold");
        }

        return value.Text;
    }
}
