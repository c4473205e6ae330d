using System.Globalization;
using System.Text;
using Knd.Interop;

namespace Knd.Neard;

/// <summary>A neard found running on knd's home that knd did not start (this run).</summary>
internal sealed record StrayNeard(int Pid, IReadOnlyList<string> CommandLine);

/// <summary>
/// Finds and kills a neard left on the same home by an earlier knd or kuutamod (kuutamod set no
/// parent-death signal; a knd killed between fork and prctl leaves one too). Such a neard may hold
/// the validator key, and two nodes on one home cannot both run, so every start first SIGKILLs it:
/// no grace period, since it may be signing and RocksDB survives a kill.
/// A match is a process whose command line is <c>&lt;neard-bin&gt; --home &lt;same home&gt; run ...</c>,
/// by file name of the binary, also one word later for a script run by its interpreter; or a
/// process whose environment carries <see cref="SetprivExec.HomeMarkerVariable"/> for this home,
/// which knd sets for every neard it starts and which that neard's children inherit: the neard a
/// <c>--neard-bin</c> wrapper runs as its child has the wrapper's name nowhere in its command line.
/// </summary>
internal sealed class StrayNeardReaper
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _pollInterval;
    private readonly string _procRoot;

    public StrayNeardReaper(ILogger logger, TimeProvider timeProvider, string procRoot = "/proc", FailoverTimings? timings = null)
    {
        _pollInterval = (timings ?? FailoverTimings.Defaults).StrayNeardPollInterval;
        _logger = logger;
        _timeProvider = timeProvider;
        _procRoot = procRoot;
    }

    /// <param name="neardBin">The configured node binary (or wrapper).</param>
    /// <param name="home">The neard home.</param>
    /// <param name="excludedGroups">Process groups (= the pids of the neards leading them) of neards knd runs now.</param>
    public IReadOnlyList<StrayNeard> Find(string neardBin, string home, IReadOnlySet<int> excludedGroups)
    {
        var binName = Path.GetFileName(neardBin);
        var fullHome = NormalizeHome(home, null);
        var found = new List<StrayNeard>();
        foreach (var pid in ProcessGroup.Pids(_procRoot))
        {
            if (pid == Environment.ProcessId || excludedGroups.Contains(pid)
                || (excludedGroups.Count > 0 && ProcessGroup.ReadStat(_procRoot, pid) is { } stat && excludedGroups.Contains(stat.ProcessGroup)))
            {
                continue;
            }

            var commandLine = ReadCommandLine(pid);
            if (commandLine is not null && (Matches(commandLine, binName, fullHome, () => ReadCwd(pid)) || HasHomeMarker(pid, fullHome)))
            {
                found.Add(new StrayNeard(pid, commandLine));
            }
        }

        return found;
    }

    /// <summary>
    /// The live processes outside <paramref name="group"/> that carry the home marker for
    /// <paramref name="home"/>: what a neard knd started on that home (or one of its children) left
    /// running after leaving the group, by setsid or a double fork. Their process group then is not
    /// the neard's, so a stop by group would miss them; the marker, inherited through every fork and
    /// exec that keeps the environment, still names them. Zombies are left out: they hold nothing.
    /// </summary>
    public IReadOnlyList<StrayNeard> FindEscaped(string home, int group)
    {
        var fullHome = NormalizeHome(home, null);
        var found = new List<StrayNeard>();
        foreach (var pid in ProcessGroup.Pids(_procRoot))
        {
            if (pid == Environment.ProcessId || pid == group
                || ProcessGroup.ReadStat(_procRoot, pid) is not { } stat || stat.ProcessGroup == group
                || stat.State is 'Z' or 'X' || !HasHomeMarker(pid, fullHome))
            {
                continue;
            }

            found.Add(new StrayNeard(pid, ReadCommandLine(pid) ?? []));
        }

        return found;
    }

    /// <summary>
    /// SIGKILLs each stray and waits until it is gone (no longer in /proc, or a zombie: a zombie
    /// holds no key and no files). Throws <see cref="NeardStartException"/> when one cannot be killed.
    /// </summary>
    public async Task KillAsync(IReadOnlyList<StrayNeard> strays, TimeSpan confirmTimeout, CancellationToken cancellationToken)
    {
        foreach (var stray in strays)
        {
            _logger.StrayNeardFound(stray.Pid, string.Join(' ', stray.CommandLine));
            try
            {
                // The pid was read a moment ago; check it still is the same command before killing.
                if (ReadCommandLine(stray.Pid) is { } current && current.SequenceEqual(stray.CommandLine))
                {
                    Libc.Kill(stray.Pid, Libc.SigKill);
                }
            }
            catch (InvalidOperationException ex)
            {
                throw new NeardStartException($"a neard from an earlier run (pid {stray.Pid}) runs on the same home and cannot be killed: {ex.Message}", ex);
            }
        }

        var deadline = _timeProvider.GetTimestamp() + (long)(confirmTimeout.TotalSeconds * _timeProvider.TimestampFrequency);
        foreach (var stray in strays)
        {
            while (!IsGone(stray.Pid))
            {
                if (_timeProvider.GetTimestamp() >= deadline)
                {
                    throw new NeardStartException($"a neard from an earlier run (pid {stray.Pid}) runs on the same home and did not exit within {confirmTimeout.TotalMilliseconds:0}ms of SIGKILL");
                }

                await Task.Delay(_pollInterval, _timeProvider, cancellationToken);
            }

            _logger.StrayNeardKilled(stray.Pid);
        }
    }

    /// <summary>Whether <paramref name="commandLine"/> is neard run on <paramref name="fullHome"/>.</summary>
    internal static bool Matches(IReadOnlyList<string> commandLine, string binName, string fullHome, Func<string?> readCwd)
    {
        for (var start = 0; start <= 1 && start < commandLine.Count; start++)
        {
            if (Path.GetFileName(commandLine[start]) != binName || commandLine.Count < start + 3)
            {
                continue;
            }

            var (home, runIndex) = commandLine[start + 1] == "--home"
                ? (commandLine[start + 2], start + 3)
                : commandLine[start + 1].StartsWith("--home=", StringComparison.Ordinal)
                    ? (commandLine[start + 1]["--home=".Length..], start + 2)
                    : (null, 0);
            if (home is null || runIndex >= commandLine.Count || commandLine[runIndex] != "run")
            {
                continue;
            }

            var cwd = Path.IsPathRooted(home) ? null : readCwd();
            if (NormalizeHome(home, cwd) == fullHome)
            {
                return true;
            }
        }

        return false;
    }

    private bool HasHomeMarker(int pid, string fullHome)
    {
        byte[] environment;
        try
        {
            environment = File.ReadAllBytes(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "environ"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another user's process (knd could not kill it anyway), or gone.
            return false;
        }

        var prefix = SetprivExec.HomeMarkerVariable + "=";
        foreach (var entry in Encoding.UTF8.GetString(environment).Split('\0'))
        {
            if (entry.StartsWith(prefix, StringComparison.Ordinal) && entry.Length > prefix.Length && NormalizeHome(entry[prefix.Length..], "/") == fullHome)
            {
                return true;
            }
        }

        return false;
    }

    private static string NormalizeHome(string home, string? cwd)
    {
        var full = cwd is null ? Path.GetFullPath(home) : Path.GetFullPath(home, cwd);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    private string[]? ReadCommandLine(int pid)
    {
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "cmdline"));
            return bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes).TrimEnd('\0').Split('\0');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile, or not ours to read: either way not a process knd could deal with.
            return null;
        }
    }

    private string? ReadCwd(int pid)
    {
        try
        {
            return new FileInfo(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "cwd")).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            var afterName = stat.LastIndexOf(')');
            return afterName >= 0 && afterName + 2 < stat.Length && stat[afterName + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            // Not found, or ESRCH while reading: the process is gone.
            return true;
        }
    }
}
