namespace Knd.Commands;

/// <summary>What the control commands read from outside the command line; tests pass their own.</summary>
internal sealed record ControlCliSettings
{
    public static ControlCliSettings Default { get; } = new();

    /// <summary>Reads environment variables (the process environment by default).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// How long one request may take. Scheduling a maintenance includes neard's config reload,
    /// which knd confirms within seconds; the bound only catches a daemon that hangs.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often <c>--wait</c> asks the daemon again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
