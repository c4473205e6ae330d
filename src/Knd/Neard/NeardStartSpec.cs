namespace Knd.Neard;

/// <summary>
/// How to start one neard: <c>neard --home HOME run [--boot-nodes B]</c>, with knd's own
/// environment plus <see cref="ExtraEnvironment"/>. Nothing secret belongs here: the
/// arguments are visible to every user in /proc.
/// </summary>
internal sealed record NeardStartSpec
{
    /// <summary>The node binary: an absolute path, or a name resolved on PATH when starting.</summary>
    public required string NeardBin { get; init; }

    public required string Home { get; init; }

    /// <summary>Passed as <c>run --boot-nodes</c> when set (neard's comma-separated list).</summary>
    public string? BootNodes { get; init; }

    /// <summary>
    /// neard's oom_score_adj, set right after it starts (kuutamod: 200, above knd's 100, so the OOM
    /// killer picks neard first). Null leaves the inherited value. A failure is logged, not fatal.
    /// </summary>
    public int? OomScoreAdj { get; init; }

    /// <summary>Set on top of knd's environment, which neard inherits (NEARD_SIM_LEDGER passes through).</summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The arguments after the binary, in neard's order (<c>--home</c> is a top-level flag, before <c>run</c>).</summary>
    public IReadOnlyList<string> Arguments
    {
        get
        {
            List<string> arguments = ["--home", Home, "run"];
            if (!string.IsNullOrEmpty(BootNodes))
            {
                arguments.Add("--boot-nodes");
                arguments.Add(BootNodes);
            }

            return arguments;
        }
    }
}
