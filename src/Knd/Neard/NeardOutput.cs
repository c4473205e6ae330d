namespace Knd.Neard;

/// <summary>Where a neard's stdout and stderr go: knd's log, under the category <c>neard</c>.</summary>
internal sealed record NeardOutput(NeardOutputPipe Stdout, NeardOutputPipe Stderr)
{
    public const string Category = "neard";

    public static NeardOutput ToLog(ILogger logger) => new(new NeardOutputPipe(logger, "stdout"), new NeardOutputPipe(logger, "stderr"));
}
