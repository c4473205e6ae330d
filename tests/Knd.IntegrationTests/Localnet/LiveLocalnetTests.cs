using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Localnet;

/// <summary><c>knd localnet</c> in live mode, as a user runs it: a leader, a failover, a clean stop.</summary>
[Collection(LocalnetCollection.Name)]
public sealed partial class LiveLocalnetTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 300_000)]
    public async Task KillLeaderAfter_ShowsALeaderThenAFailoverLine_AndSigintStopsEveryChildKeepingDir()
    {
        Assert.Null(InheritedSignals.Problem(LocalnetRun.SigInt, "SIGINT"));
        var dir = Directory.CreateTempSubdirectory("knd-localnet-test-").FullName;
        try
        {
            await using var localnet = LocalnetRun.Start(["--nodes", "2", "--dir", dir, "--kill-leader-after", "10", .. LocalnetRun.FastTimings]);
            await localnet.WaitForLineAsync(LeaderRow(), StartTimeout, "a table row with a Validating leader (*)");
            var children = LocalnetRun.ProcessesUnder(dir);
            Assert.True(children.Values.Count(c => Program(c) == "knd") == 2, Describe("two knd run processes", children, localnet));
            Assert.True(children.Values.Count(c => Program(c) == "neard-sim") == 2, Describe("two neard-sim processes", children, localnet));

            var failover = await localnet.WaitForLineAsync(FailoverLine(), StartTimeout, "a failover line after --kill-leader-after");
            var match = FailoverLine().Match(failover);
            Assert.NotEqual(match.Groups["from"].Value, match.Groups["to"].Value);
            await localnet.WaitForLineAsync(HostBackUp(), StartTimeout, "the killed host coming back");

            Assert.True(localnet.Process.Signal(LocalnetRun.SigInt));
            var code = await localnet.Process.WaitForExitAsync(StopTimeout);

            Assert.Equal(0, code);
            Assert.Empty(LocalnetRun.ProcessesUnder(dir));
            Assert.True(File.Exists(Path.Combine(dir, "ledger.jsonl")), "the ledger is kept with --dir");
            Assert.True(File.Exists(Path.Combine(dir, "node-0", "knd.log")), "knd's log is kept with --dir");
            var ledger = LedgerReader.Read(Path.Combine(dir, "ledger.jsonl"));
            ledger.AssertNoDoubleSign();
            Assert.Contains(localnet.Process.Lines, l => l.Contains($"stopped; kept {dir}", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Sigterm_WithoutDir_StopsEveryChildAndRemovesItsTempDirectory()
    {
        await using var localnet = LocalnetRun.Start(["--nodes", "2", .. LocalnetRun.FastTimings]);
        var dir = await localnet.DirectoryAsync();
        await localnet.WaitForLineAsync(LeaderRow(), StartTimeout, "a table row with a Validating leader (*)");
        Assert.NotEmpty(LocalnetRun.ProcessesUnder(dir));

        Assert.True(localnet.Process.Signal(Libc.SigTerm));
        var code = await localnet.Process.WaitForExitAsync(StopTimeout);

        Assert.Equal(0, code);
        Assert.Empty(LocalnetRun.ProcessesUnder(dir));
        Assert.False(Directory.Exists(dir), $"{dir} should be removed without --dir");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--nodes", "0", "--nodes")]
    [InlineData("--fault", "kill-leader-host", "--fault")]
    [InlineData("--session-ttl", "ten", "--session-ttl")]
    [InlineData("--watchdog", "5s", "--watchdog")]
    public async Task BadOption_ExitsWithUsageAndOneLineNamingTheOption(string option, string value, string named)
    {
        await using var localnet = LocalnetRun.Start(option, value);
        var code = await localnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        var line = Assert.Single(localnet.Process.Lines);
        Assert.StartsWith($"knd localnet: {named}", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task MissingNeardBinary_ExitsWithOneLineNamingIt()
    {
        await using var localnet = LocalnetRun.Start("--neard-bin", "/nonexistent/neard-sim");
        var code = await localnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        var line = Assert.Single(localnet.Process.Lines);
        Assert.Equal("knd localnet: --neard-bin: '/nonexistent/neard-sim' is not an executable file and was not found on PATH", line);
    }

    private static string Program(string commandLine) => Path.GetFileName(commandLine.Split(' ')[0]);

    private static string Describe(string what, IReadOnlyDictionary<int, string> children, LocalnetRun localnet) =>
        $"expected {what}; found:\n{string.Join('\n', children.Values)}\n{localnet.Process.Tail()}";

    [GeneratedRegex(@"^node-\d+\s+Validating\s+\*")]
    private static partial Regex LeaderRow();

    [GeneratedRegex(@"failover: (?<from>node-\d+) -> (?<to>node-\d+) in \d+\.\d s \(first signed height \d+\)")]
    private static partial Regex FailoverLine();

    [GeneratedRegex(@"node-\d+: host back up")]
    private static partial Regex HostBackUp();
}
