using Knd.Interop;

namespace Knd.Neard;

/// <summary>Replaces a file so that a reader (or a crash) sees the old content or the new, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>The temp file next to <paramref name="path"/>; fixed, so a crash leaves at most one to clean.</summary>
    public static string TempPathFor(string path) => Path.Combine(Path.GetDirectoryName(path) ?? ".", "." + Path.GetFileName(path) + ".knd-tmp");

    /// <summary>
    /// Writes a temp file in the same directory with <paramref name="mode"/> from its creation (a key
    /// is never readable by others, not even for a moment), fsyncs it, renames it over
    /// <paramref name="path"/> (replacing a symlink there, as kuutamod left, rather than following
    /// it), and fsyncs the directory so the rename is durable.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("knd runs on Linux only");
        }

        var fullPath = Path.GetFullPath(path);
        var temp = TempPathFor(fullPath);
        try
        {
            // A stale temp from a crash may have another mode; creating afresh applies ours.
            File.Delete(temp);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // The umask may have cleared bits of the mode (e.g. config.json's 0644).
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, fullPath, overwrite: true);
            Libc.FsyncDirectory(Path.GetDirectoryName(fullPath) ?? "/");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new NeardHomeException($"cannot write {fullPath}: {ex.Message}", ex);
        }
    }

    /// <summary>Deletes <paramref name="path"/> (a file or a symlink) and its stale temp file; true when the file existed.</summary>
    public static bool Delete(string path)
    {
        var fullPath = Path.GetFullPath(path);
        TryDelete(TempPathFor(fullPath));
        try
        {
            // File.Exists follows symlinks; a dangling link must go too.
            var existed = File.Exists(fullPath) || new FileInfo(fullPath).LinkTarget is not null;
            File.Delete(fullPath);
            if (existed)
            {
                Libc.FsyncDirectory(Path.GetDirectoryName(fullPath) ?? "/");
            }

            return existed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NeardHomeException($"cannot delete {fullPath}: {ex.Message}", ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next write replaces a stale temp file anyway.
        }
    }
}
