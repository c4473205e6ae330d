using System.Diagnostics;

namespace Knd.Neard;

/// <summary>
/// Running neard as <c>setpriv --pdeathsig KILL -- neard ...</c>: setpriv sets PR_SET_PDEATHSIG
/// and execs neard in the same process (same pid, no process in between), because .NET has no hook
/// between fork and exec to call prctl itself.
/// </summary>
internal static class SetprivExec
{
    public static readonly TimeSpan ExecTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Process.Start returns once setpriv runs; setpriv arms the parent-death signal and then execs
    /// neard. Waiting for that exec (the command line stops being setpriv's) means a returned
    /// neard is armed, which leaves only these few milliseconds in which a dying knd would leave
    /// neard behind (for the next start's stray check and the unit's cgroup kill). Bounded, and
    /// cancellable (a stop pre-empts a start): the caller then hands the child to whoever stops it.
    /// </summary>
    public static async Task<bool> WaitForExecAsync(INeardProcess process, string setpriv, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetTimestamp() + (long)(ExecTimeout.TotalSeconds * timeProvider.TimestampFrequency);
        var commandLinePath = $"/proc/{process.Pid}/cmdline";
        while (!process.Exited.IsCompleted)
        {
            string commandLine;
            try
            {
                commandLine = await File.ReadAllTextAsync(commandLinePath, cancellationToken);
            }
            catch (IOException)
            {
                commandLine = string.Empty;
            }

            // Empty while the exec is under way; setpriv's own argv[0] until it has run.
            if (commandLine.Length > 0 && !commandLine.StartsWith(setpriv + "\0", StringComparison.Ordinal))
            {
                return true;
            }

            if (timeProvider.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }

        // It already exited (e.g. setpriv could not exec neard: 126/127); the caller sees Exited.
        return true;
    }

    public static ProcessStartInfo CreateStartInfo(string setpriv, string neardBin, NeardStartSpec spec)
    {
        // No redirection: neard writes to knd's stdout/stderr, which the service manager journals.
        var startInfo = new ProcessStartInfo(setpriv) { UseShellExecute = false };
        foreach (var argument in (string[])["--pdeathsig", "KILL", "--", neardBin, .. spec.Arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.ExtraEnvironment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }
}
