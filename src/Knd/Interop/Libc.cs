using System.Runtime.InteropServices;

namespace Knd.Interop;

/// <summary>The few libc calls .NET does not expose (stands in for Mono.Posix / Tmds.LibC, not served here).</summary>
internal static partial class Libc
{
    public const int SigHup = 1;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigUsr1 = 10;
    public const int SigUsr2 = 12;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private const int Esrch = 3;
    private const int Eintr = 4;

    // O_RDONLY | O_CLOEXEC: the same on every Linux architecture (O_DIRECTORY is not, so it is left out).
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    // O_RDWR | O_CREAT | O_CLOEXEC: the same on x86-64, arm64 and riscv64 (not on alpha, mips, sparc, parisc).
    private const int OpenReadWriteCreateCloseOnExec = 0x2 | 0x40 | 0x80000;

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Ewouldblock = 11;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static partial int GetpgidNative(int pid);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockNative(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>
    /// fsyncs a directory so a rename inside it survives a power cut (.NET cannot open a
    /// directory as a file). Throws <see cref="IOException"/> naming the directory on failure.
    /// </summary>
    public static void FsyncDirectory(string path)
    {
        var fd = OpenNative(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            int result;
            do
            {
                result = FsyncNative(fd);
            }
            while (result != 0 && Marshal.GetLastPInvokeError() == Eintr);

            if (result != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = CloseNative(fd);
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to <paramref name="pid"/>. Returns false when the process no
    /// longer exists (ESRCH); throws <see cref="InvalidOperationException"/> for any other failure
    /// (EPERM: a process knd may not signal, e.g. a wrapper that changed user, or a reused pid; EINVAL).
    /// A caller that must stop neard cannot go on after that: the neard worker crashes knd loudly.
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

    /// <summary>
    /// Sends <paramref name="signal"/> to every process of the process group <paramref name="pgid"/>
    /// (kill(-pgid, signal); signal 0 only asks whether one exists). Returns false when the group has
    /// no process left (ESRCH); throws <see cref="InvalidOperationException"/> for any other failure,
    /// like <see cref="Kill"/>. Refuses knd's own group: neard always has a group of its own (setsid).
    /// </summary>
    public static bool KillGroup(int pgid, int signal)
    {
        if (pgid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "not a process group knd started");
        }

        if (pgid == GetpgidNative(0))
        {
            throw new InvalidOperationException($"refusing to signal process group {pgid}: it is knd's own");
        }

        if (KillNative(-pgid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch)
        {
            return false;
        }

        throw new InvalidOperationException($"kill(-{pgid}, {signal}) failed with errno {errno}");
    }

    /// <summary>The process group of <paramref name="pid"/> (getpgid(2)), or null when there is no such process.</summary>
    public static int? GetProcessGroup(int pid)
    {
        var pgid = GetpgidNative(pid);
        return pgid >= 0 ? pgid : null;
    }

    /// <summary>
    /// Opens (creating it, mode 0644) <paramref name="path"/> close-on-exec, so no child (neard)
    /// inherits the descriptor, and takes flock(LOCK_EX | LOCK_NB) on it. The handle, or null when
    /// another open file description holds the lock; throws <see cref="IOException"/> naming the
    /// path for any other failure. The lock lasts as long as the handle (or the process).
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? TryLockExclusive(string path)
    {
        var fd = OpenNative(path, OpenReadWriteCreateCloseOnExec, 0x1A4);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        int result;
        do
        {
            result = FlockNative(fd, LockExclusive | LockNonBlocking);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (result == 0)
        {
            return handle;
        }

        var errno = Marshal.GetLastPInvokeError();
        handle.Dispose();
        return errno == Ewouldblock ? null : throw new IOException($"cannot lock {path} (errno {errno})");
    }

    /// <summary>
    /// Opens <paramref name="path"/> read-only and close-on-exec without taking any lock (.NET's
    /// own file APIs take flock(LOCK_SH), which a file locked by <see cref="TryLockExclusive"/>
    /// refuses). Throws <see cref="IOException"/> naming the path.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenReadOnlyUnlocked(string path)
    {
        var fd = OpenNative(path, OpenReadOnlyCloseOnExec);
        return fd >= 0
            ? new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true)
            : throw new IOException($"cannot open {path} (errno {Marshal.GetLastPInvokeError()})");
    }
}
