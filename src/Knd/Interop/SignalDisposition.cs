using System.Globalization;

namespace Knd.Interop;

/// <summary>Which signals this process ignores, from the kernel's view (/proc/self/status).</summary>
internal static class SignalDisposition
{
    /// <summary>
    /// True when <paramref name="signal"/> is set to SIG_IGN in this process, as nohup does for
    /// SIGHUP. An ignored signal stays ignored across fork and exec, so every child inherits it.
    /// </summary>
    public static bool IsIgnored(int signal, string statusPath = "/proc/self/status")
    {
        foreach (var line in File.ReadLines(statusPath))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                return (mask & (1UL << (signal - 1))) != 0;
            }
        }

        return false;
    }
}
