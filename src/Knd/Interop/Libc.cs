using System.Runtime.InteropServices;

namespace Knd.Interop;

/// <summary>The few libc calls .NET does not expose (stands in for Mono.Posix / Tmds.LibC, not served here).</summary>
internal static partial class Libc
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private const int Esrch = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>
    /// Sends <paramref name="signal"/> to <paramref name="pid"/>. Returns false when the process no
    /// longer exists (ESRCH); throws for any other failure, which would be a bug (EPERM, EINVAL).
    /// </summary>
    public static bool Kill(int pid, int signal)
    {
        if (pid <= 0)
        {
            // kill(0, ...) and kill(-1, ...) signal whole process groups: never what knd means.
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a process group");
        }

        if (KillNative(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch)
        {
            return false;
        }

        throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {errno}");
    }
}
