namespace Knd.Configuration;

/// <summary>The operator hooks as configured: the two commands (null when not given) and the bound of one run.</summary>
internal sealed record HookSettings(string? OnRoleChange, string? PrePromote, TimeSpan Timeout);
