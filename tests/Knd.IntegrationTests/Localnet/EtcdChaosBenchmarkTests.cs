using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Localnet;

/// <summary>
/// <c>knd localnet --dcs etcd</c>: the chaos benchmark on three real etcd members, at the short test
/// timings, with the faults whose meaning changes on etcd (docs/run-localnet.md): the partition
/// through the per-knd proxies, etcd's leader killed, the lost quorum, a wiped etcd, slow and spoiled
/// answers. The host and process faults are the same code on both services; EtcdFailoverTests and
/// the Consul benchmark test cover them.
/// </summary>
[Collection(LocalnetCollection.Name)]
public sealed class EtcdChaosBenchmarkTests
{
    private static readonly string[] FaultKinds =
        ["partition-leader", "consul-no-leader", "etcd-quorum-loss", "consul-restart", "consul-slow", "consul-garbage"];

    /// <summary>Faults with no failover time on etcd: the slow answers are ridden out; a killed etcd leader and garbage may or may not cost one.</summary>
    private static readonly string[] NoFailoverTime = ["consul-no-leader", "consul-slow", "consul-garbage"];

    [Fact(Timeout = 600_000)]
    public async Task EtcdFaults_OneTrialEach_NoDoubleSignAndNoFailedTrial()
    {
        var dir = Directory.CreateTempSubdirectory("knd-etcd-chaos-test-").FullName;
        try
        {
            var json = Path.Combine(dir, "chaos.json");
            await using var localnet = LocalnetRun.Start(["--dcs", "etcd", "--trials", "1", "--fault", string.Join(',', FaultKinds), "--nodes", "3", "--json", json, "--dir", Path.Combine(dir, "net"), .. LocalnetRun.FastTimings]);
            var code = await localnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(540));
            var output = localnet.Process.Tail(80);

            Assert.True(File.Exists(json), output);
            Assert.Contains(localnet.Process.StdoutLines, l => l.Contains("etcd 3 members", StringComparison.Ordinal));
            var results = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsArray();
            Assert.Equal(FaultKinds, results.Select(r => r!["fault"]!.GetValue<string>()));
            foreach (var result in results.Select(r => r!.AsObject()))
            {
                var fault = result["fault"]!.GetValue<string>();
                Assert.True(result["double_signed_heights"]!.GetValue<int>() == 0, $"{fault}: a height was signed twice\n{output}");
                Assert.True(result["failed_trials"]!.GetValue<int>() == 0, $"{fault}: a trial failed\n{output}");
                var max = result["failover_ms"]!["max"];
                Assert.True(NoFailoverTime.Contains(fault) ? max is null : max!.GetValue<long>() <= 3 * result["bound_ms"]!.GetValue<long>(), $"{fault}: {result.ToJsonString()}");
            }

            Assert.True(code == 0, $"exit code {code}\n{output}");

            // None of these faults freezes a knd: its loop must keep the watchdog fed (a blocked pool
            // thread once held it past the 0.9 s watchdog at these timings, at every start on etcd).
            Assert.DoesNotContain(localnet.Process.StdoutLines, l => l.Contains("watchdog: no WATCHDOG=1", StringComparison.Ordinal));
            LedgerReader.Read(Path.Combine(dir, "net", "ledger.jsonl")).AssertNoDoubleSign();

            // Every etcd member was stopped with the localnet.
            Assert.Empty(LocalnetRun.ProcessesUnder(Path.Combine(dir, "net")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task DcsEtcd_WithoutEtcdInstalled_FailsWithOneLineNamingThePackage()
    {
        // The runtime's root, so the apphost finds .NET without PATH: .../shared/Microsoft.NETCore.App/<version>/.
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        await using var process = ChildProcess.Start("knd localnet", ChildProcess.Binary("knd"), ["localnet", "--dcs", "etcd"], new Dictionary<string, string?> { ["PATH"] = "/nonexistent", ["DOTNET_ROOT"] = dotnetRoot });

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(50));

        Assert.Equal(1, code);
        var line = Assert.Single(process.StderrLines);
        Assert.Equal("knd localnet: --dcs etcd: etcd is not installed; install Debian's etcd-server package (sudo apt-get install etcd-server) or put etcd on PATH", line);
    }
}
