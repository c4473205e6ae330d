using System.Globalization;

namespace Knd.Localnet;

/// <summary>A process, told apart from a later one that reuses its pid by its start time.</summary>
internal readonly record struct ProcessId(int Pid, ulong StartTime);

/// <summary>What <c>/proc/PID/stat</c> says about one process.</summary>
internal sealed record ProcStat(int Pid, char State, int ParentPid, ulong CpuTicks, ulong StartTime)
{
    public ProcessId Id => new(Pid, StartTime);

    /// <summary>Zombies (Z) and dead (X) processes run nothing any more.</summary>
    public bool IsRunning => State is not ('Z' or 'X');
}

/// <summary>Reads process facts from /proc: states, parents, CPU time and resident memory.</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of utime/stime, 100 on every Linux architecture .NET runs on.</summary>
    public const double ClockTicksPerSecond = 100;

    public static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return null;
        }

        return new ProcStat(
            pid,
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[11], CultureInfo.InvariantCulture) + ulong.Parse(fields[12], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    public static bool IsRunning(ProcessId id) => ReadStat(id.Pid) is { } stat && stat.StartTime == id.StartTime && stat.IsRunning;

    /// <summary>VmRSS in MB, or null when the process is gone.</summary>
    public static double? RssMegabytes(int pid) => Memory(pid)?.Rss;

    /// <summary>
    /// VmRSS and its parts in MB: RssAnon (heaps, stacks), RssFile (mapped binaries and assemblies,
    /// shared with every process that maps them) and RssShmem (for .NET, the second mapping of JIT
    /// code under W^X); null when the process is gone.
    /// </summary>
    public static (double Rss, double Anon, double File, double Shmem)? Memory(int pid)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && (line.StartsWith("VmRSS", StringComparison.Ordinal) || line.StartsWith("Rss", StringComparison.Ordinal)))
                {
                    values[line[..colon]] = long.Parse(line[(colon + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }

        return values.TryGetValue("VmRSS", out var rss)
            ? (rss, values.GetValueOrDefault("RssAnon"), values.GetValueOrDefault("RssFile"), values.GetValueOrDefault("RssShmem"))
            : null;
    }

    /// <summary>Every live process below <paramref name="pid"/> (children, their children, ...).</summary>
    public static IReadOnlyList<ProcStat> Descendants(int pid)
    {
        var byParent = new Dictionary<int, List<ProcStat>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate) && ReadStat(candidate) is { IsRunning: true } stat)
            {
                if (!byParent.TryGetValue(stat.ParentPid, out var children))
                {
                    byParent[stat.ParentPid] = children = [];
                }

                children.Add(stat);
            }
        }

        var found = new List<ProcStat>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in byParent.GetValueOrDefault(parent) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>The command line, arguments separated by spaces (empty when gone).</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
