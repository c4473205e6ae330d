using System.Text.Json;
using Knd.IntegrationTests.Infrastructure;
using NeardSim.Chain;

namespace Knd.IntegrationTests.NeardSim;

public sealed class NeardSimSigningTests
{
    [Fact(Timeout = 60_000)]
    public async Task Ledger_WithKey_OnlyDutyHeightsOfThatAccountOnce()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home);

        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= 6, "six blocks are signed", () => sim.Output);

        var ledger = LedgerReader.Read(home.DefaultLedgerPath);
        var duties = new DutySchedule(7, 33);
        Assert.All(ledger.Entries, e =>
        {
            Assert.Equal("pool.test", e.AccountId);
            Assert.Equal(home.Dir, e.Home);
            Assert.Equal(sim.Pid, e.Pid);
            Assert.True(duties.HasDuty("pool.test", e.Height), $"height {e.Height} is not a duty height");
        });
        ledger.AssertNoDoubleSign();
        Assert.Equal(ledger.Entries.Select(e => e.Height).Order(), ledger.Entries.Select(e => e.Height));
    }

    [Fact(Timeout = 60_000)]
    public async Task Ledger_WithoutKey_StaysEmpty()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { DutyPercent = 100 });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        long start = 0;
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is { } s && (start = Height(s)) > 0, "status answers", () => sim.Output);

        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is { } s && Height(s) >= start + 10, "ten blocks pass", () => sim.Output);

        Assert.False(File.Exists(home.DefaultLedgerPath));
        Assert.Equal(0, await rpc.MetricAsync("near_is_validator"));
        Assert.Equal(JsonValueKind.Null, (await rpc.StatusAsync())!.Value.GetProperty("validator_account_id").ValueKind);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validators_ProducedBlocksFollowTheLedger()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test", EpochLength = 100_000 });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= 3, "three blocks are signed", () => sim.Output);

        var (_, body) = await rpc.PostAsync("""{"jsonrpc":"2.0","method":"validators","params":[null],"id":1}""", TimeSpan.FromSeconds(5));

        var pool = body.GetProperty("result").GetProperty("current_validators").EnumerateArray()
            .Single(v => v.GetProperty("account_id").GetString() == "pool.test");
        Assert.True(pool.GetProperty("num_produced_blocks").GetInt64() >= 3);
        Assert.True(pool.GetProperty("num_expected_blocks").GetInt64() >= pool.GetProperty("num_produced_blocks").GetInt64());
    }

    [Fact(Timeout = 60_000)]
    public async Task MaintenanceWindows_ObjectFormat_FromHeadToEpochEnd()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { WindowsFormat = "object" });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is not null, "status answers", () => sim.Output);

        var (_, body) = await rpc.PostAsync(
            """{"jsonrpc":"2.0","method":"maintenance_windows","params":{"account_id":"validator.test"},"id":1}""", TimeSpan.FromSeconds(5));

        var windows = body.GetProperty("result").EnumerateArray().Select(w => (w.GetProperty("start").GetInt64(), w.GetProperty("end").GetInt64())).ToList();
        Assert.NotEmpty(windows);
        var epochEnd = ((windows[0].Item1 / 200) + 1) * 200;
        Assert.All(windows, w => Assert.True(w.Item1 < w.Item2 && w.Item2 <= epochEnd));
        var duties = new DutySchedule(7, 33);
        Assert.All(windows, w => Assert.False(duties.HasDuty("validator.test", w.Item1)));
        Assert.All(windows.Where(w => w.Item2 < epochEnd), w => Assert.True(duties.HasDuty("validator.test", w.Item2)));
    }

    [Fact(Timeout = 90_000)]
    public async Task TwoSims_SameKeySharedLedger_DoubleSignIsDetected()
    {
        var genesis = TimeProvider.System.GetUtcNow().AddMinutes(-1);
        var options = new NeardSimHomeOptions { GenesisTime = genesis, ValidatorAccountId = "pool.test", DutyPercent = 50 };
        using var first = NeardSimHome.Create(options);
        using var second = NeardSimHome.Create(options);
        var ledgerPath = Path.Combine(first.Dir, "shared.jsonl");
        await using var a = SimProcess.Start(first, ledgerPath);
        await using var b = SimProcess.Start(second, ledgerPath);

        await Eventually.HoldsAsync(() => LedgerReader.Read(ledgerPath).HasDoubleSign, "the ledger shows a double sign",
            () => a.Output + b.Output);

        var doubleSign = LedgerReader.Read(ledgerPath).DoubleSigns[0];
        Assert.Equal("pool.test", doubleSign.AccountId);
        Assert.Equal(new[] { a.Pid, b.Pid }.Order(), doubleSign.Entries.Select(e => e.Pid).Order());
        Assert.Throws<Xunit.Sdk.XunitException>(() => LedgerReader.Read(ledgerPath).AssertNoDoubleSign());
    }

    private static long Height(JsonElement status) => status.GetProperty("sync_info").GetProperty("latest_block_height").GetInt64();
}
