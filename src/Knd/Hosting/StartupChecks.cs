using Knd.Configuration;
using Knd.Neard;

namespace Knd.Hosting;

/// <summary>
/// What the option parser cannot see but would stop knd later, checked before anything starts so
/// each is one line naming its option and exit 78 rather than a loop of failed neard starts or a
/// silent loss of logs: the neard home and the log directory can be written, and neard can be
/// exec'd (a binary or a script whose interpreter exists, and the util-linux tools that start it).
/// </summary>
internal static class StartupChecks
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The first problem as <c>--option: why</c>, or null.</summary>
    public static string? FirstProblem(KndRunOptions options, string? searchPath) =>
        NeardHomeProblem(options.NeardHome) is { } home ? $"{RunOptionCatalog.NeardHome.Flag}: {home}"
        : NeardConfigProblem(options.NeardHome) is { } config ? $"{RunOptionCatalog.NeardHome.Flag}: {config}"
        : options.LogDir is { } logDir && LogDirProblem(logDir) is { } log ? $"{RunOptionCatalog.LogDir.Flag}: {log}"
        : NeardBinProblem(options.NeardBin, searchPath) is { } bin ? $"{RunOptionCatalog.NeardBin.Flag}: {bin}"
        : null;

    /// <summary>
    /// knd rewrites config.json (and the key files next to it) at every role change by renaming a
    /// temp file over it; doing exactly that once, with the same bytes, proves it can.
    /// </summary>
    internal static string? NeardHomeProblem(string home)
    {
        var config = Path.Combine(home, "config.json");
        try
        {
            var mode = OperatingSystem.IsLinux() ? File.GetUnixFileMode(config) : default;
            AtomicFile.Write(config, File.ReadAllBytes(config), mode);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NeardHomeException)
        {
            var why = Describe(e is NeardHomeException && e.InnerException is { } inner ? inner : e);
            return $"knd cannot write {config} ({why}); it rewrites config.json and the key files in the home at every role change, so the home must be writable by knd's user";
        }
    }

    /// <summary>
    /// config.json must parse, and the parts knd edits must have the shape it edits, before
    /// anything starts: found at the first role change instead, it would fail every start of neard.
    /// </summary>
    internal static string? NeardConfigProblem(string home)
    {
        var neardHome = new NeardHome(home, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        try
        {
            var config = NeardConfigFile.Read(neardHome.ConfigPath);
            foreach (var name in new[] { "network", "store" })
            {
                NeardConfigFile.GetOrAddObject(config, name, neardHome.ConfigPath);
            }

            neardHome.ReadRpcEndpoint();
            return null;
        }
        catch (NeardHomeException e)
        {
            return $"{e.Message}; knd edits this file at every role change, so fix it first";
        }
    }

    internal static string? LogDirProblem(string logDir)
    {
        var probe = Path.Combine(logDir, $".knd-write-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"knd cannot create files in {ValueText.Quote(logDir)} ({Describe(e)}); the log files would be lost";
        }
    }

    internal static string? NeardBinProblem(string neardBin, string? searchPath)
    {
        foreach (var tool in new[] { "setsid", "setpriv" })
        {
            if (ExecutableResolver.Resolve(tool, searchPath) is null)
            {
                return $"knd starts neard through {tool} (util-linux), which is not on PATH; install util-linux";
            }
        }

        if (ExecutableResolver.Resolve(neardBin, searchPath) is not { } path)
        {
            return $"{ValueText.Quote(neardBin)} is not an executable file";
        }

        byte[] head;
        try
        {
            using var stream = File.OpenRead(path);
            head = new byte[256];
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{ValueText.Quote(path)} cannot be read ({Describe(e)})";
        }

        if (head.AsSpan().StartsWith("\u007fELF"u8))
        {
            return null;
        }

        if (!head.AsSpan().StartsWith("#!"u8))
        {
            return $"{ValueText.Quote(path)} is neither an executable (ELF) nor a script starting with #!, so it cannot be started";
        }

        var line = System.Text.Encoding.UTF8.GetString(head, 2, head.Length - 2).Split('\n')[0].Trim();
        var interpreter = line.Split([' ', '\t'], 2)[0];
        return interpreter.Length > 0 && File.Exists(interpreter) && OperatingSystem.IsLinux() && (File.GetUnixFileMode(interpreter) & AnyExecute) != 0
            ? null
            : $"{ValueText.Quote(path)} is a script whose interpreter {ValueText.Quote(interpreter)} (its #! line) is not an executable file, so it cannot be started";
    }

    /// <summary>
    /// The cause in words. knd is built with system resource keys, so .NET's own messages are
    /// resource names; the kind of exception (and, for other I/O errors, the errno .NET keeps as
    /// the HResult) says it instead.
    /// </summary>
    internal static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied: not writable by knd's user, a read-only file system, or an immutable file",
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        IOException { HResult: > 0 and < 4096 } io => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(io.HResult),
        _ => e.Message,
    };
}
