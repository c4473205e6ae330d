using System.Runtime.InteropServices;

namespace Knd.Configuration;

internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    Socket,

    /// <summary>A FIFO, device or anything else; reading one could block or never end.</summary>
    Other,

    /// <summary>stat failed for another reason than a missing file (EACCES on a parent, ELOOP...).</summary>
    Inaccessible,
}

/// <summary>
/// What a path is (following symlinks) and its permission bits, through statx(2): .NET reports
/// permissions but not whether a path is a FIFO or device, and opening a FIFO blocks.
/// </summary>
internal static partial class FileProbe
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const int Enoent = 2;
    private const int Enotdir = 20;
    private const int FileTypeMask = 0xF000;

    public static FileKind Kind(string path) => Stat(path, out _);

    /// <summary>The kind of <paramref name="path"/> and its permission bits (0 when missing).</summary>
    public static FileKind Stat(string path, out UnixFileMode mode)
    {
        mode = 0;
        var buffer = default(StatxBuffer);
        if (StatxNative(AtFdCwd, path, 0, StatxType | StatxMode, ref buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Enoent or Enotdir ? FileKind.Missing : FileKind.Inaccessible;
        }

        mode = (UnixFileMode)(buffer.Mode & 0xFFF);
        return (buffer.Mode & FileTypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "does not exist",
        FileKind.Regular => "is a file",
        FileKind.Directory => "is a directory",
        FileKind.Socket => "is a socket",
        FileKind.Inaccessible => "cannot be examined (permission denied on it or a parent directory?)",
        _ => "is not a regular file (a FIFO or device?)",
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirFd, string path, int flags, uint mask, ref StatxBuffer buffer);

    /// <summary>struct statx: the same layout on every Linux architecture; only the head is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}
