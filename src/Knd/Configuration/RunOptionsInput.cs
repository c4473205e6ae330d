namespace Knd.Configuration;

/// <summary>
/// What the parser reads: the flags given on the command line and a view of the environment.
/// Tests pass a dictionary for the environment so they never touch the process's own.
/// </summary>
/// <param name="Flags">Option name (without dashes) to the values given, in order; absent when not given.</param>
/// <param name="GetEnvironmentVariable">Reads one environment variable (KND_*, KUUTAMO_*, CREDENTIALS_DIRECTORY, PATH).</param>
/// <param name="HostName">The default node id; the machine name when null.</param>
internal sealed record RunOptionsInput(
    IReadOnlyDictionary<string, IReadOnlyList<string>> Flags,
    Func<string, string?> GetEnvironmentVariable,
    string? HostName = null)
{
    /// <summary>Input from the real process environment.</summary>
    public static RunOptionsInput FromProcess(IReadOnlyDictionary<string, IReadOnlyList<string>> flags) =>
        new(flags, Environment.GetEnvironmentVariable);
}
