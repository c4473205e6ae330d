using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Localnet;

/// <summary>
/// The chaos benchmark of contract §10 at the short test timings: every fault kind once, but for the
/// peer channel's three Consul-outage kinds, whose failsafe and fast-failover paths PeerChannelTests
/// run on real processes (they add a minute here, over the suite's budget); `knd localnet --trials 20
/// --fault all` (docs/benchmarks.md) runs them all.
/// </summary>
[Collection(LocalnetCollection.Name)]
public sealed class ChaosBenchmarkTests
{
    private static readonly string[] FaultKinds =
        ["kill-leader-host", "kill-knd", "freeze-knd", "crash-neard", "hang-neard", "consul-no-leader", "partition-leader", "switchover", "stop-leader", "consul-restart", "consul-slow", "consul-garbage", "silent-leader", "rogue-signer"];

    /// <summary>Faults the leader must ride out: no failover, so no failover times.</summary>
    private static readonly string[] RideThrough = ["consul-slow"];

    /// <summary>Faults that may or may not cost a failover; no failover times either.</summary>
    private static readonly string[] Endurance = ["consul-garbage"];

    private static readonly string[] JsonFields =
        ["fault", "trials", "session_ttl_ms", "lock_delay_ms", "bound_ms", "failover_ms", "double_signed_heights", "missed_duty_heights", "failed_trials", "knd_rss_mb_max"];

    [Fact(Timeout = 960_000)]
    public async Task EachFaultKind_OneTrialEach_WritesContractJsonWithNoDoubleSignAndNoFailedTrial()
    {
        var dir = Directory.CreateTempSubdirectory("knd-chaos-test-").FullName;
        try
        {
            var json = Path.Combine(dir, "chaos.json");
            await using var localnet = LocalnetRun.Start(["--trials", "1", "--fault", string.Join(',', FaultKinds), "--nodes", "3", "--json", json, "--dir", Path.Combine(dir, "net"), .. LocalnetRun.FastTimings]);
            var code = await localnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(900));
            var output = localnet.Process.Tail(120);

            Assert.True(File.Exists(json), output);
            var results = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsArray();
            Assert.Equal(FaultKinds, results.Select(r => r!["fault"]!.GetValue<string>()));
            foreach (var result in results.Select(r => r!.AsObject()))
            {
                var fault = result["fault"]!.GetValue<string>();
                Assert.Equal(JsonFields, result.Select(p => p.Key));
                Assert.True(result["double_signed_heights"]!.GetValue<int>() == 0, $"{fault}: a height was signed twice\n{output}");
                Assert.True(result["failed_trials"]!.GetValue<int>() == 0, $"{fault}: a trial failed\n{output}");
                Assert.Equal(1, result["trials"]!.GetValue<int>());
                Assert.Equal(3000, result["session_ttl_ms"]!.GetValue<long>());
                Assert.Equal(1000, result["lock_delay_ms"]!.GetValue<long>());
                Assert.True(result["bound_ms"]!.GetValue<long>() > 0, fault);
                var failover = result["failover_ms"]!.AsObject();
                Assert.Equal(["p50", "p95", "max"], failover.Select(p => p.Key));
                if (RideThrough.Contains(fault) || Endurance.Contains(fault))
                {
                    Assert.All(failover, p => Assert.Null(p.Value));
                    Assert.True(Endurance.Contains(fault) || result["missed_duty_heights"]!.GetValue<int>() == 0, $"{fault}: the leader missed duties\n{output}");
                    continue;
                }

                var p50 = failover["p50"]!.GetValue<long>();
                Assert.True(p50 > 0 && p50 <= failover["p95"]!.GetValue<long>() && failover["p95"]!.GetValue<long>() <= failover["max"]!.GetValue<long>(), $"{fault}: {failover.ToJsonString()}");
                Assert.True(result["missed_duty_heights"]!.GetValue<int>() >= 0, fault);
                Assert.True(result["knd_rss_mb_max"]!.GetValue<double>() > 0, fault);
            }

            Assert.True(code == 0, $"exit code {code}\n{output}");
            LedgerReader.Read(Path.Combine(dir, "net", "ledger.jsonl")).AssertNoDoubleSign();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
