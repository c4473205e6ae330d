using System.Text.Json;
using Knd.Interop;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.NeardSim;

public sealed class NeardSimReloadTests
{
    [Fact(Timeout = 90_000)]
    public async Task HotSwap_KeyPlacedThenRemoved_StartsSigningAndKeepsSigning()
    {
        using var home = NeardSimHome.Create();
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is not null, "status answers", () => sim.Output);
        Assert.False(File.Exists(home.DefaultLedgerPath));

        home.WriteValidatorKey("pool.test");
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_reloads_total") == 2, "the reload is applied", () => sim.Output);
        Assert.Equal("pool.test", (await rpc.StatusAsync())!.Value.GetProperty("validator_account_id").GetString());
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= 2, "the new key signs", () => sim.Output);

        home.RemoveValidatorKey();
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_reloads_total") == 3, "the removal reload is applied", () => sim.Output);
        var signedBefore = LedgerReader.Read(home.DefaultLedgerPath).Count;

        // neard 2.0-2.2: removing the key and sending SIGHUP does not stop validating.
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= signedBefore + 2,
            "the removed key keeps signing", () => sim.Output);
        Assert.Equal("pool.test", (await rpc.StatusAsync())!.Value.GetProperty("validator_account_id").GetString());
        Assert.Equal(1, await rpc.MetricAsync("near_is_validator"));
        LedgerReader.Read(home.DefaultLedgerPath).AssertNoDoubleSign();
    }

    [Fact(Timeout = 90_000)]
    public async Task ExpectedShutdown_SetBySighup_ExitsZeroAtThatHeight()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test", DutyPercent = 100 });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        JsonElement? status = null;
        await Eventually.HoldsAsync(async () => (status = await rpc.StatusAsync()) is not null, "status answers", () => sim.Output);
        var shutdownAt = status!.Value.GetProperty("sync_info").GetProperty("latest_block_height").GetInt64() + 30;

        home.SetExpectedShutdown(shutdownAt);
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_reloads_total") == 2, "the reload is applied", () => sim.Output);
        Assert.Equal(shutdownAt, await rpc.MetricAsync("near_block_expected_shutdown"));

        Assert.Equal(0, await sim.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Expected shutdown triggered: head block({shutdownAt}) >= ({shutdownAt})", sim.Output, StringComparison.Ordinal);
        var heights = LedgerReader.Read(home.DefaultLedgerPath).HeightsOf("pool.test");
        Assert.NotEmpty(heights);
        Assert.True(heights[^1] < shutdownAt, $"signed {heights[^1]} at or after expected_shutdown {shutdownAt}");
    }

    [Fact(Timeout = 60_000)]
    public async Task ExpectedShutdown_AlreadyPassedAtStart_ExitsZeroAtOnce()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ExpectedShutdown = 10, ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home);

        Assert.Equal(0, await sim.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, LedgerReader.Read(home.DefaultLedgerPath).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Sighup_MalformedConfig_LeavesCounterAndMarksIncorrect()
    {
        using var home = NeardSimHome.Create();
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_correct") == 1, "metrics answer", () => sim.Output);
        var goodConfig = await File.ReadAllTextAsync(home.ConfigPath);

        home.WriteConfigText("{\"expected_shutdown\": 5,");
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_correct") == 0, "the failed reload is reported", () => sim.Output);

        Assert.Equal(1, await rpc.MetricAsync("near_config_reloads_total"));
        Assert.Equal(0, await rpc.MetricAsync("near_block_expected_shutdown"));
        Assert.False(sim.HasExited);

        home.WriteConfigText(goodConfig);
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_config_reloads_total") == 2, "the fixed config reloads", () => sim.Output);
        Assert.Equal(1, await rpc.MetricAsync("near_config_correct"));
    }
}
