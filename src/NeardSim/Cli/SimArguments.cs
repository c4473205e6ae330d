namespace NeardSim.Cli;

/// <summary>What to do, from the command line.</summary>
internal enum CliAction
{
    Run,
    Version,
    Help,
    Error,
}

/// <summary>
/// The parsed command line: <c>neard-sim [--home DIR] run [--boot-nodes LIST] [--rpc-addr HOST:PORT]</c>.
/// <paramref name="RpcAddr"/> overrides config.json's rpc.addr, as neard's <c>run --rpc-addr</c> does.
/// <paramref name="CatchUpAfterSwapBlocks"/> is the sim's own <c>run --catch-up-after-swap N</c>.
/// </summary>
internal sealed record SimArguments(CliAction Action, string Home, string? BootNodes, string? Error = null, string? RpcAddr = null, int? CatchUpAfterSwapBlocks = null);
