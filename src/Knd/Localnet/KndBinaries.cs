using Knd.Neard;

namespace Knd.Localnet;

/// <summary>Finds the binaries the localnet runs: knd itself, and neard-sim.</summary>
internal static class KndBinaries
{
    /// <summary>
    /// This very knd: the apphost (<c>dotnet run</c>, an installed knd) or, when started as
    /// <c>dotnet knd.dll</c>, the dotnet host with knd.dll as its first argument.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Knd()
    {
        var process = Environment.ProcessPath ?? Path.Combine(AppContext.BaseDirectory, "knd");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Path.Combine(AppContext.BaseDirectory, "knd.dll")])
            : (process, []);
    }

    /// <summary>neard-sim next to knd, else on PATH; null with a message saying how to build it.</summary>
    public static string? NeardSim(string? requested, out string? problem)
    {
        problem = null;
        var path = Environment.GetEnvironmentVariable("PATH");
        if (requested is not null)
        {
            var resolved = ExecutableResolver.Resolve(requested, path);
            problem = resolved is null ? $"--neard-bin: '{requested}' is not an executable file and was not found on PATH" : null;
            return resolved;
        }

        var next = ExecutableResolver.Resolve(Path.Combine(AppContext.BaseDirectory, "neard-sim"), path)
            ?? ExecutableResolver.Resolve("neard-sim", path);
        if (next is null)
        {
            problem = $"neard-sim was found neither next to knd ({AppContext.BaseDirectory}) nor on PATH. "
                + "Build it with `dotnet build src/Knd` (which builds src/NeardSim and copies it next to knd), "
                + "or `dotnet build src/NeardSim` and pass --neard-bin src/NeardSim/bin/Debug/net10.0/neard-sim";
        }

        return next;
    }
}
