using System.Diagnostics;
using System.Runtime.Versioning;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Neard;

/// <summary>
/// A temp dir with a neard home and /bin/sh stand-ins for neard, a launcher, and cleanup that
/// SIGKILLs every process a test started, whatever happened.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LauncherFixture : IDisposable
{
    /// <summary>Records argv and two environment variables, then becomes a sleep that SIGTERM ends.</summary>
    public const string Cooperative = """
        #!/bin/sh
        printf '%s\n' "$@" > "$KND_TEST_OUT/argv"
        printf '%s\n' "$KND_TEST_EXTRA" "$KND_TEST_INHERITED" > "$KND_TEST_OUT/env"
        exec sleep 1000
        """;

    /// <summary>Ignores SIGTERM (the disposition survives exec), so only SIGKILL ends it.</summary>
    public const string IgnoresSigterm = """
        #!/bin/sh
        trap '' TERM
        exec sleep 1000
        """;

    /// <summary>Appends a line per SIGHUP; stays a shell so the trap runs (SIGTERM still ends it).</summary>
    public const string CountsSighup = """
        #!/bin/sh
        trap 'echo hup >> "$KND_TEST_OUT/hup"' HUP
        while :; do sleep 0.05; done
        """;

    public const string ChattyPadding = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>200 lines on each stream, written alternately, then exit 5.</summary>
    public const string Chatty = """
        #!/bin/sh
        i=1
        while [ $i -le 200 ]; do
          echo "out $i 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
          echo "err $i 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz" >&2
          i=$((i + 1))
        done
        exit 5
        """;

    public const string CrashesWith3 = """
        #!/bin/sh
        exit 3
        """;

    private readonly List<INeardProcess> _processes = [];
    private readonly List<Process> _others = [];

    public LauncherFixture()
    {
        Root = Directory.CreateTempSubdirectory("knd-launcher-test-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        Out = Directory.CreateDirectory(Path.Combine(Root, "out")).FullName;
        Launcher = new NeardProcessLauncher(NullLogger.Instance, TimeProvider.System, TimeSpan.FromSeconds(5), neardLogger: NeardLog);
    }

    /// <summary>What the launched processes wrote, as knd logs it.</summary>
    public LineLogger NeardLog { get; } = new();

    public string Root { get; }

    public string Home { get; }

    public string Out { get; }

    public NeardProcessLauncher Launcher { get; }

    /// <summary>Writes an executable script named <paramref name="name"/> and returns its path.</summary>
    public string Script(string content, string name = "neard")
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public NeardStartSpec Spec(string neardBin, string? bootNodes = null) => new()
    {
        NeardBin = neardBin,
        Home = Home,
        BootNodes = bootNodes,
        ExtraEnvironment = new Dictionary<string, string> { ["KND_TEST_OUT"] = Out },
    };

    public async Task<INeardProcess> StartAsync(NeardStartSpec spec, NeardProcessLauncher? launcher = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var process = await (launcher ?? Launcher).StartAsync(spec, timeout.Token);
        Track(process);
        return process;
    }

    public void Track(INeardProcess process)
    {
        lock (_processes)
        {
            _processes.Add(process);
        }
    }

    /// <summary>Starts a process directly (not through the launcher), killed at cleanup.</summary>
    public Process StartDirect(string fileName, params string[] arguments) =>
        StartDirect(new ProcessStartInfo(fileName, arguments) { UseShellExecute = false });

    /// <summary>Starts a process directly from <paramref name="startInfo"/>, killed at cleanup.</summary>
    public Process StartDirect(ProcessStartInfo startInfo)
    {
        var process = Process.Start(startInfo)!;
        _others.Add(process);
        return process;
    }

    public async Task WaitForFileAsync(string path)
    {
        await Until(() => File.Exists(path) && new FileInfo(path).Length > 0, $"{path} to be written");
    }

    public static async Task Until(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"timed out after {seconds}s waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, CancellationToken.None);
        }
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Dispose();
            }
        }

        foreach (var process in _others)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        Launcher.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
