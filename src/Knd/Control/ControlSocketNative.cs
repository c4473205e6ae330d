using System.Runtime.InteropServices;

namespace Knd.Control;

/// <summary>The libc calls the control socket needs and .NET does not expose with errno semantics.</summary>
internal static partial class ControlSocketNative
{
    public const int Eexist = 17;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxIno = 0x100;
    private const int FDupFdCloseOnExec = 1030;

    /// <summary>mkdir(2): unlike Directory.CreateDirectory, fails with EEXIST when the name is taken.</summary>
    public static int MakeDirectory(string path, UnixFileMode mode, out int errno)
    {
        var result = MkdirNative(path, (uint)mode);
        errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        return result;
    }

    /// <summary>rename(2): atomically replaces the target, whatever it is (the caller checks first).</summary>
    public static void Rename(string from, string to)
    {
        if (RenameNative(from, to) != 0)
        {
            throw new IOException($"cannot move the socket into place at {to} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>The device and inode of <paramref name="path"/> itself (not a symlink's target), or null.</summary>
    public static (ulong Device, ulong Inode)? Identity(string path)
    {
        var buffer = default(StatxBuffer);
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxIno, ref buffer) != 0)
        {
            return null;
        }

        return (((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Ino);
    }

    /// <summary>
    /// A close-on-exec duplicate of <paramref name="fd"/>, or -1: a plain dup(2) would leak the
    /// listening socket into neard, keeping it connectable after knd is gone.
    /// </summary>
    public static int DuplicateCloseOnExec(nint fd) => FcntlNative((int)fd, FDupFdCloseOnExec, 0);

    public static void Close(int fd) => _ = CloseNative(fd);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirNative(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string from, string to);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirFd, string path, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlNative(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>struct statx: the same layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)]
        public ulong Ino;

        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;
    }
}
