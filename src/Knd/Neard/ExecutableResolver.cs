namespace Knd.Neard;

/// <summary>Finds an executable the way execvp does: a name with a slash as is, otherwise on PATH.</summary>
internal static class ExecutableResolver
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The absolute path of <paramref name="name"/>, or null when there is no such executable file.</summary>
    public static string? Resolve(string name, string? searchPath)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(name) ? Path.GetFullPath(name) : null;
        }

        foreach (var directory in (searchPath ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (IsExecutableFile(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            return OperatingSystem.IsLinux() && File.Exists(path) && (File.GetUnixFileMode(path) & AnyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
