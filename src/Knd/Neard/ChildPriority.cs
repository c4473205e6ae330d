using System.Diagnostics;
using System.Globalization;

namespace Knd.Neard;

/// <summary>
/// CliWrap always sets a priority class on the process it starts, and .NET maps a class to one
/// niceness (-19, -11, -6, 0, 10, 19). Asking for a lower niceness than knd's own needs privilege
/// and would fail after the fork, with neard already running; so neard gets the class whose
/// niceness is the nearest at or above knd's: never more CPU priority than knd, never a failed start.
/// </summary>
internal static class ChildPriority
{
    private static readonly (int Niceness, ProcessPriorityClass Class)[] Classes =
    [
        (-19, ProcessPriorityClass.RealTime),
        (-11, ProcessPriorityClass.High),
        (-6, ProcessPriorityClass.AboveNormal),
        (0, ProcessPriorityClass.Normal),
        (10, ProcessPriorityClass.BelowNormal),
        (19, ProcessPriorityClass.Idle),
    ];

    public static ProcessPriorityClass NotAboveOwn() => For(OwnNiceness());

    public static ProcessPriorityClass For(int niceness) => Classes.First(c => c.Niceness >= Math.Min(niceness, 19)).Class;

    /// <summary>knd's niceness, field 19 of /proc/self/stat (after the parenthesised command name); 0 if unreadable.</summary>
    public static int OwnNiceness()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return 0;
        }
    }
}
