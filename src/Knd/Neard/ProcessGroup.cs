using System.Globalization;
using Knd.Interop;

namespace Knd.Neard;

/// <summary>
/// The process group neard leads (it is started through setsid, so its group id is its pid): the
/// unit knd stops and confirms gone, so a <c>--neard-bin</c> wrapper that runs neard as its child
/// (no <c>exec</c>) cannot leave an orphan signing or holding the RPC port.
/// </summary>
internal static class ProcessGroup
{
    /// <summary>
    /// Whether a process that is not a zombie is left in group <paramref name="pgid"/>.
    /// kill(-pgid, 0) answers ESRCH once the group is empty, but counts zombies too (an orphan waits
    /// for its new parent to reap it, and a container's pid 1 may never do so); a zombie holds no
    /// key, no port and no file, so a group of zombies is as good as gone.
    /// </summary>
    public static bool HasLiveMembers(int pgid, string procRoot = "/proc")
    {
        if (!Libc.KillGroup(pgid, 0))
        {
            return false;
        }

        foreach (var pid in Pids(procRoot))
        {
            if (ReadStat(procRoot, pid) is { } stat && stat.ProcessGroup == pgid && stat.State is not ('Z' or 'X'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The pids listed under <paramref name="procRoot"/> (its numeric directories).</summary>
    public static IEnumerable<int> Pids(string procRoot)
    {
        foreach (var directory in Directory.EnumerateDirectories(procRoot))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>The state letter and process group of <paramref name="pid"/> from /proc/PID/stat, or null when it is gone.</summary>
    public static (char State, int ProcessGroup)? ReadStat(string procRoot, int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 2 && fields[0].Length == 1 && int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pgrp)
            ? (fields[0][0], pgrp)
            : null;
    }
}
