namespace NeardSim.Cli;

/// <summary>neard-sim's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>A graceful stop: SIGTERM/SIGINT or expected_shutdown reached.</summary>
    public const int Ok = 0;

    /// <summary>A home file is missing or bad, RPC cannot listen, or a simulated crash.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (clap's code) or the home directory does not exist.</summary>
    public const int Usage = 2;
}
