namespace Knd;

/// <summary>Process exit codes of the knd executable (contract §2 and §5).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation failed; a message is on stderr.</summary>
    public const int Failed = 1;

    /// <summary>The command line could not be parsed.</summary>
    public const int Usage = 2;

    /// <summary>The daemon's control socket could not be reached.</summary>
    public const int DaemonUnreachable = 3;

    /// <summary>EX_CONFIG from sysexits.h: a configuration value is wrong.</summary>
    public const int Config = 78;
}
