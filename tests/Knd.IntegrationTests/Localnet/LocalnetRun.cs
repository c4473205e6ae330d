using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Localnet;

/// <summary>Localnet tests start many processes each; they must not run alongside other heavy tests on a 2-core runner.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalnetCollection
{
    public const string Name = "localnet";
}

/// <summary>A real <c>knd localnet</c> process (the binary next to the tests), its output, and the processes it started.</summary>
internal sealed partial class LocalnetRun : IAsyncDisposable
{
    public const int SigInt = 2;

    private LocalnetRun(ChildProcess process) => Process = process;

    public ChildProcess Process { get; }

    /// <summary>Short timings, as the failover tests use: dev-consul's session_ttl_min is lowered by the localnet.</summary>
    public static IReadOnlyList<string> FastTimings => ["--session-ttl", "3s", "--lock-delay", "1s"];

    public static LocalnetRun Start(params string[] arguments) =>
        new(ChildProcess.Start("knd localnet", ChildProcess.Binary("knd"), ["localnet", .. arguments]));

    public Task<string> WaitForLineAsync(Regex pattern, TimeSpan timeout, string what) =>
        Process.WaitForLineAsync(pattern.IsMatch, timeout, what);

    /// <summary>The localnet's directory, from its <c>dir ...</c> line.</summary>
    public async Task<string> DirectoryAsync()
    {
        var line = await WaitForLineAsync(DirLine(), TimeSpan.FromSeconds(60), "the localnet's directory");
        return DirLine().Match(line).Groups["dir"].Value;
    }

    /// <summary>Live processes whose command line names <paramref name="dir"/> (knd run, neard-sim), by pid.</summary>
    public static IReadOnlyDictionary<int, string> ProcessesUnder(string dir)
    {
        var found = new Dictionary<int, string>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(dir + "/", StringComparison.Ordinal) && !commandLine.Contains(" localnet ", StringComparison.Ordinal))
                {
                    found[pid] = commandLine.Trim();
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return found;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"dir (?<dir>/\S+)")]
    private static partial Regex DirLine();
}
