using System.Globalization;
using System.Text;
using Knd.Interop;
using Microsoft.Win32.SafeHandles;

namespace Knd.Hosting;

/// <summary>
/// One knd per neard home. Two would each take the other's neard for a stray left by an earlier run
/// and kill it, for ever. The first <c>knd run</c> holds an exclusive flock on
/// <c>&lt;home&gt;/knd.lock</c> for its whole life and writes its pid into it; a second one finds
/// the lock taken and names that pid. The descriptor is close-on-exec, so neard never holds it (a
/// neard left behind must not keep the next knd out); the kernel drops the lock when knd dies,
/// however it dies.
/// </summary>
internal sealed class HomeLock : IDisposable
{
    public const string FileName = "knd.lock";

    private readonly SafeFileHandle _handle;

    private HomeLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The lock, or null with a one-line <paramref name="error"/> (for <c>--neard-home</c>).</summary>
    public static HomeLock? TryAcquire(string home, out string? error)
    {
        var path = System.IO.Path.Combine(home, FileName);
        SafeFileHandle? handle;
        try
        {
            handle = Libc.TryLockExclusive(path);
        }
        catch (IOException e)
        {
            error = $"{e.Message}: knd locks its neard home there so that only one knd runs on it";
            return null;
        }

        if (handle is null)
        {
            error = $"{home} is in use by another knd ({Holder(path)}, holding {path}); run one knd per neard home";
            return null;
        }

        try
        {
            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, pid, 0);
        }
        catch (IOException)
        {
            // The lock itself holds; only the pid a second knd would name is missing.
        }

        error = null;
        return new HomeLock(handle, path);
    }

    public void Dispose() => _handle.Dispose();

    private static string Holder(string path)
    {
        try
        {
            using var handle = Libc.OpenReadOnlyUnlocked(path);
            var buffer = new byte[32];
            var text = Encoding.ASCII.GetString(buffer, 0, RandomAccess.Read(handle, buffer, 0)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $"pid {pid}" : "pid unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }
}
