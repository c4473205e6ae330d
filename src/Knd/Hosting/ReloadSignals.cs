using System.Runtime.InteropServices;
using Knd.Consul;
using Knd.Interop;

namespace Knd.Hosting;

/// <summary>
/// SIGHUP (<c>systemctl reload knd</c>) and SIGUSR1 re-read the Consul token file. SIGUSR1 is
/// kuutamod's reload signal: its unit's <c>ExecReload</c> sends it, and a knd left with that unit
/// must not die of it (the default action of SIGUSR1 ends the process, and neard with it). Both
/// also re-read the peer channel's cluster secret when knd runs one.
/// </summary>
internal sealed class ReloadSignals : IDisposable
{
    private readonly PosixSignalRegistration _hangUp;
    private readonly PosixSignalRegistration _user1;

    private ReloadSignals(ConsulTokenFile tokenFile, ILogger logger, Action? alsoReload)
    {
        _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => Reload(context, "SIGHUP", tokenFile, logger, alsoReload));

        // .NET names no SIGUSR1, but takes the raw Linux number on Unix.
        _user1 = PosixSignalRegistration.Create((PosixSignal)Libc.SigUsr1, context => Reload(context, "SIGUSR1", tokenFile, logger, alsoReload));
    }

    /// <summary><paramref name="alsoReload"/>: what else a reload re-reads (the cluster secret), or null.</summary>
    public static ReloadSignals Register(ConsulTokenFile tokenFile, ILogger logger, Action? alsoReload = null) => new(tokenFile, logger, alsoReload);

    public void Dispose()
    {
        _hangUp.Dispose();
        _user1.Dispose();
    }

    private static void Reload(PosixSignalContext context, string signal, ConsulTokenFile tokenFile, ILogger logger, Action? alsoReload)
    {
        context.Cancel = true;
        alsoReload?.Invoke();
        if (!tokenFile.HasFile)
        {
            logger.NothingToReload(signal);
        }
        else if (tokenFile.Reload() is { } error)
        {
            logger.ReloadFailed(signal, error);
        }
        else
        {
            logger.Reloaded(signal);
        }
    }
}
