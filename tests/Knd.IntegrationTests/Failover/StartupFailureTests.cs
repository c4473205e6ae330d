using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// Every way <c>knd run</c> can fail to start ends the same way (docs/configuration.md): one line on
/// stderr naming the option, exit 78, and nothing started: no neard, no Consul session, no socket
/// left behind, no stack trace.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class StartupFailureTests
{
    [Fact(Timeout = 120_000)]
    public async Task ExporterAddressInUse_IsOneLineNamingTheOption_Exit78()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = (IPEndPoint)taken.LocalEndpoint;

        var line = await RunExpectingConfigErrorAsync(args => With(args, "--exporter-address", address.ToString()));

        Assert.Equal($"knd run: --exporter-address: {address} is in use by another process (a second knd, or a kuutamod, on this host?); give each its own address", line);
    }

    [Fact(Timeout = 120_000)]
    public async Task ExporterAddressNotOfThisHost_IsOneLineNamingTheOption_Exit78()
    {
        var line = await RunExpectingConfigErrorAsync(args => With(args, "--exporter-address", "192.0.2.1:2233"));

        Assert.Equal("knd run: --exporter-address: 192.0.2.1 is not an address of this host", line);
    }

    [ImmutableFilesFact(Timeout = 120_000)]
    public async Task ControlSocketDirectoryNotWritable_IsOneLineNamingTheOption_Exit78()
    {
        using var dir = new TempDirectory("knd-socket-dir-");
        using var frozen = Immutable.Set(dir.Path);

        var line = await RunExpectingConfigErrorAsync(args => [.. args, "--control-socket", dir.Combine("knd.sock")]);

        Assert.StartsWith($"knd run: --control-socket: cannot create a private directory in \"{dir.Path}\" for the control socket: Operation not permitted", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task NeardBinaryMissing_IsOneLineNamingTheOption_Exit78()
    {
        var line = await RunExpectingConfigErrorAsync(args => With(args, "--neard-bin", "/nonexistent/bin/neard"));

        Assert.Equal("knd run: --neard-bin: \"/nonexistent/bin/neard\" does not exist", line);
    }

    [Fact(Timeout = 120_000)]
    public async Task NeardBinaryAScriptWhoseInterpreterIsMissing_IsOneLineNamingTheOption_Exit78()
    {
        using var dir = new TempDirectory("knd-neard-bin-");
        var script = dir.Combine("neard");
        await File.WriteAllTextAsync(script, "#!/nonexistent/bash\nexec neard \"$@\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var line = await RunExpectingConfigErrorAsync(args => With(args, "--neard-bin", script));

        Assert.Equal($"knd run: --neard-bin: \"{script}\" is a script whose interpreter \"/nonexistent/bash\" (its #! line) is not an executable file, so it cannot be started", line);
    }

    [ImmutableFilesFact(Timeout = 120_000)]
    public async Task NeardHomeConfigNotWritable_IsOneLineNamingTheOption_Exit78()
    {
        var line = await RunExpectingConfigErrorAsync(args => args, node => Immutable.Set(Path.Combine(node.Home.Dir, "config.json")));

        Assert.StartsWith("knd run: --neard-home: knd cannot write ", line, StringComparison.Ordinal);
        Assert.Contains("config.json (permission denied", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task NeardHomeConfigMalformed_IsOneLineNamingTheFile_Exit78()
    {
        string? config = null;
        var line = await RunExpectingConfigErrorAsync(args => args, node =>
        {
            config = Path.Combine(node.Home.Dir, "config.json");
            File.WriteAllText(config, "{\n  \"rpc\": {\"addr\": \"127.0.0.1:0\"},\n  \"network\": \n}\n");
            return new TempDirectory("knd-unused-");
        });

        Assert.Equal($"knd run: --neard-home: {config} is not valid JSON (line 4, byte 1); knd edits this file at every role change, so fix it first", line);
    }

    [ImmutableFilesFact(Timeout = 120_000)]
    public async Task LogDirNotWritable_IsOneLineNamingTheOption_Exit78()
    {
        using var logDir = new TempDirectory("knd-log-dir-");
        using var frozen = Immutable.Set(logDir.Path);

        var line = await RunExpectingConfigErrorAsync(args => [.. args, "--log-dir", logDir.Path]);

        Assert.StartsWith($"knd run: --log-dir: knd cannot create files in \"{logDir.Path}\"", line, StringComparison.Ordinal);
    }

    /// <summary>Starts one knd with the arguments <paramref name="change"/> makes, and checks the failure's shape; returns its one line.</summary>
    private static async Task<string> RunExpectingConfigErrorAsync(Func<List<string>, List<string>> change, Func<KndNode, IDisposable>? prepare = null)
    {
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1, StartNodes = false });
        var node = cluster.Nodes[0];
        using var prepared = prepare?.Invoke(node);
        await using var knd = ChildProcess.Start("knd", ChildProcess.Binary("knd"), change([.. node.Arguments]), node.Environment);

        var code = await knd.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 78, $"exit code {code}\n{knd.Tail()}");

        // The test cluster's short TTL adds a warning line; the error is one line of its own.
        var errors = knd.StderrLines.Where(l => !l.StartsWith("knd run: warning:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one line, got {errors.Count}\n{knd.Tail()}");
        Assert.DoesNotContain(knd.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.DoesNotContain(knd.Lines, l => l.Contains("neard started", StringComparison.Ordinal) || l.Contains("Consul session", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(node.Home.Dir, "knd.sock")), "a failed start left its control socket");
        Assert.False(File.Exists(Path.Combine(node.Home.Dir, "kuutamod.sock")), "a failed start left the kuutamod socket");
        Assert.Null(await cluster.Consul.ValueAsync(KndCluster.LockKey));
        return errors[0];
    }

    /// <summary>The arguments with <paramref name="flag"/>'s value replaced (or the flag added).</summary>
    private static List<string> With(List<string> arguments, string flag, string value)
    {
        var index = arguments.IndexOf(flag);
        if (index < 0)
        {
            return [.. arguments, flag, value];
        }

        arguments[index + 1] = value;
        return arguments;
    }
}

/// <summary>
/// The tests run as root, which every permission bit lets through; the immutable attribute
/// (chattr +i) stops root too, as a read-only mount or a foreign owner stops knd's user.
/// </summary>
internal static class Immutable
{
    public static IDisposable Set(string path)
    {
        Chattr("+i", path);
        return new Undo(path);
    }

    /// <summary>Whether this machine lets the tests set the attribute (CAP_LINUX_IMMUTABLE, a file system that has it).</summary>
    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        var dir = Directory.CreateTempSubdirectory("knd-chattr-probe-").FullName;
        try
        {
            return Run("+i", dir) && Run("-i", dir);
        }
        finally
        {
            Run("-i", dir);
            Directory.Delete(dir);
        }
    }

    private static void Chattr(string change, string path)
    {
        if (!Run(change, path))
        {
            throw new InvalidOperationException($"chattr {change} {path} failed");
        }
    }

    private static bool Run(string change, string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [change, path]) { RedirectStandardError = true, UseShellExecute = false })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private sealed class Undo(string path) : IDisposable
    {
        public void Dispose() => Run("-i", path);
    }
}

/// <summary>A fact that needs <see cref="Immutable"/>; skipped, saying why, where chattr +i is not allowed.</summary>
public sealed class ImmutableFilesFactAttribute : FactAttribute
{
    public ImmutableFilesFactAttribute()
    {
        if (!Immutable.Available)
        {
            Skip = "chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE and ext4/xfs/btrfs); the test makes a path unwritable for root with it";
        }
    }
}
