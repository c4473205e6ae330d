namespace Knd.Configuration;

/// <summary>
/// What is wrong with one option: printed as one line, option first, then where the value came
/// from when it was not a flag, e.g. <c>--neard-home (from KUUTAMO_NEARD_HOME): "/x" does not exist</c>.
/// </summary>
internal sealed record RunOptionError(string Option, string? Origin, string Problem)
{
    public override string ToString() =>
        OneLine(Origin is null ? $"{Option}: {Problem}" : $"{Option} ({Origin}): {Problem}");

    /// <summary>A value or an OS message must never break the one-line contract of an error.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}

/// <summary>Thrown inside the parser to stop at the first bad option; never escapes <see cref="RunOptionsParser"/>.</summary>
internal sealed class RunOptionException(RunOptionError error) : Exception(error.ToString())
{
    public RunOptionError Error { get; } = error;
}
