using System.Diagnostics.CodeAnalysis;

namespace Knd.Configuration;

/// <summary>The outcome of <see cref="RunOptionsParser.Parse"/>: valid options and timings, or the first error.</summary>
internal sealed class RunOptionsResult
{
    private RunOptionsResult(KndRunOptions? options, FailoverTimings? timings, IReadOnlyList<string> warnings, RunOptionError? error)
    {
        Options = options;
        Timings = timings;
        Warnings = warnings;
        Error = error;
    }

    public KndRunOptions? Options { get; }

    public FailoverTimings? Timings { get; }

    /// <summary>One-line notes about accepted but risky values (e.g. a TTL below Consul's default minimum).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public RunOptionError? Error { get; }

    [MemberNotNullWhen(true, nameof(Options), nameof(Timings))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static RunOptionsResult Success(KndRunOptions options, FailoverTimings timings, IReadOnlyList<string> warnings) =>
        new(options, timings, warnings, null);

    public static RunOptionsResult Failure(RunOptionError error, IReadOnlyList<string> warnings) =>
        new(null, null, warnings, error);
}
