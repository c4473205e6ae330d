using CliWrap;

namespace Knd.Neard;

/// <summary>
/// Running neard as <c>setsid setpriv --pdeathsig KILL -- neard ...</c>: setsid makes the process
/// the leader of a new session and process group (knd stops that whole group, so a wrapper's child
/// goes with it), setpriv sets PR_SET_PDEATHSIG, and each execs the next in the same process (same
/// pid, no process in between), because .NET has no hook between fork and exec to call setsid and
/// prctl itself. setsid forks only when the caller already leads a process group, which a process
/// .NET just forked never does; the launcher checks the group after the exec all the same.
/// </summary>
internal static class SetprivExec
{
    /// <summary>
    /// Set in neard's environment to its home: a child of neard (or of a wrapper) inherits it, so the
    /// stray reaper recognises it whatever its command line says.
    /// </summary>
    public const string HomeMarkerVariable = "KND_SUPERVISED_NEARD_HOME";

    /// <summary>
    /// Process.Start returns once setsid runs; setsid execs setpriv, which arms the parent-death
    /// signal and execs neard. Waiting for that exec (the command line is neither setsid's nor
    /// setpriv's) means a returned neard is armed and leads its group, which leaves only these few
    /// milliseconds in which a dying knd would leave neard behind (for the next start's stray check
    /// and the unit's cgroup kill). Bounded, and cancellable (a stop pre-empts a start): the caller
    /// then hands the child to whoever stops it. <paramref name="timings"/>: the bound
    /// (<see cref="FailoverTimings.NeardExecTimeout"/>) and the poll (<see cref="FailoverTimings.NeardExecPollInterval"/>).
    /// </summary>
    public static async Task<bool> WaitForExecAsync(INeardProcess process, IReadOnlyList<string> launchers, TimeProvider timeProvider, FailoverTimings timings, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetTimestamp() + (long)(timings.NeardExecTimeout.TotalSeconds * timeProvider.TimestampFrequency);
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

            // Empty while an exec is under way; a launcher's own argv[0] until it has run.
            if (commandLine.Length > 0 && !launchers.Any(l => commandLine.StartsWith(l + "\0", StringComparison.Ordinal)))
            {
                return true;
            }

            if (timeProvider.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(timings.NeardExecPollInterval, timeProvider, cancellationToken);
        }

        // It already exited (e.g. setpriv could not exec neard: 126/127); the caller sees Exited.
        return true;
    }

    /// <summary>
    /// The CliWrap command for <c>setsid setpriv --pdeathsig KILL -- neard ...</c>: knd's environment
    /// plus the spec's, stdin closed, stdout and stderr piped to <paramref name="output"/>, any exit
    /// code accepted (an exit is a fact for the supervisor, not an error of the launch).
    /// </summary>
    public static Command CreateCommand(string setsid, string setpriv, string neardBin, NeardStartSpec spec, NeardOutput output)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in spec.ExtraEnvironment)
        {
            environment[name] = value;
        }

        environment[HomeMarkerVariable] = spec.Home;
        return Cli.Wrap(setsid)
            .WithArguments([setpriv, "--pdeathsig", "KILL", "--", neardBin, .. spec.Arguments])
            .WithEnvironmentVariables(environment)
            .WithResourcePolicy(new ResourcePolicy(priority: ChildPriority.NotAboveOwn()))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(output.Stdout)
            .WithStandardErrorPipe(output.Stderr);
    }
}
