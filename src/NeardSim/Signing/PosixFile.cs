using System.Runtime.InteropServices;

namespace NeardSim.Signing;

/// <summary>
/// open/write/close straight from libc: O_APPEND makes each write land whole at the end of the
/// file even with several processes appending, which FileStream does not promise.
/// </summary>
internal static partial class PosixFile
{
    // Linux values (x86_64 and arm64 share them).
    private const int OWrOnly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloExec = 0x80000;
    private const uint Mode0644 = 0x1A4;
    private const int Eintr = 4;

    /// <summary>Appends <paramref name="data"/> with a single write(2) on an O_APPEND descriptor.</summary>
    public static void AppendAtomically(string path, ReadOnlySpan<byte> data)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the signing ledger needs Linux O_APPEND semantics");
        }

        int fd;
        do
        {
            fd = Open(path, OWrOnly | OCreat | OAppend | OCloExec, Mode0644);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (fd < 0)
        {
            throw new IOException($"cannot open ledger {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            nint written;
            unsafe
            {
                fixed (byte* pointer = data)
                {
                    do
                    {
                        written = Write(fd, pointer, (nuint)data.Length);
                    }
                    while (written < 0 && Marshal.GetLastPInvokeError() == Eintr);
                }
            }

            if (written < 0)
            {
                throw new IOException($"cannot write ledger {path}: errno {Marshal.GetLastPInvokeError()}");
            }

            if (written != data.Length)
            {
                // Finishing with a second write would no longer be atomic: report it instead.
                throw new IOException($"short write to ledger {path}: {written} of {data.Length} bytes");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
