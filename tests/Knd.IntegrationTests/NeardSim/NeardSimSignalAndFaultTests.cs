using Knd.Interop;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.NeardSim;

public sealed class NeardSimSignalAndFaultTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_ExitsZero()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test" });
        await using var sim = await StartReadyAsync(home);

        Assert.True(sim.Signal(Libc.SigTerm));

        Assert.Equal(0, await sim.WaitForExitAsync(ExitTimeout));
    }

    [Fact(Timeout = 60_000)]
    public async Task IgnoreSigtermMs_KeepsRunningAndSigningUntilKilled()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test", IgnoreSigtermMs = 600_000 });
        await using var sim = await StartReadyAsync(home);

        Assert.True(sim.Signal(Libc.SigTerm));
        var termSentAt = TimeProvider.System.GetUtcNow();
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Entries.Count(e => e.Time > termSentAt) >= 2,
            "the sim signs after SIGTERM", () => sim.Output);
        Assert.False(sim.HasExited);

        Assert.True(sim.Signal(Libc.SigKill));
        Assert.Equal(137, await sim.WaitForExitAsync(ExitTimeout));
    }

    [Fact(Timeout = 60_000)]
    public async Task IgnoreSigtermMs_Short_ExitsZeroAfterTheDelay()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { IgnoreSigtermMs = 1500 });
        await using var sim = await StartReadyAsync(home);

        var sentAt = TimeProvider.System.GetTimestamp();
        Assert.True(sim.Signal(Libc.SigTerm));

        Assert.Equal(0, await sim.WaitForExitAsync(ExitTimeout));
        // The sim's delay runs on .NET's coarse timer clock, which may end it a tick (4 ms) early.
        Assert.True(TimeProvider.System.GetElapsedTime(sentAt) >= TimeSpan.FromMilliseconds(1450));
    }

    [Fact(Timeout = 90_000)]
    public async Task RpcHangFile_StatusHangsWhileSigningGoesOn_RemovedAnswersAgain()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test" });
        await using var sim = await StartReadyAsync(home);
        using var rpc = new SimRpc(home.RpcUrl);

        home.CreateFaultFile(NeardSimHome.RpcHangFile);
        await Eventually.HoldsAsync(async () => await TimesOutAsync(rpc), "GET /status hangs", () => sim.Output);
        var signed = LedgerReader.Read(home.DefaultLedgerPath).Count;
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= signed + 2, "signing goes on", () => sim.Output);
        Assert.True(await TimesOutAsync(rpc));

        home.RemoveFaultFile(NeardSimHome.RpcHangFile);
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is not null, "status answers again", () => sim.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task RpcHangConfig_AcceptsButNeverAnswers()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { RpcHang = true });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(() => sim.Output.Contains("neard-sim ready", StringComparison.Ordinal), "the sim listens", () => sim.Output);

        Assert.True(await TimesOutAsync(rpc));
    }

    [Fact(Timeout = 60_000)]
    public async Task CrashFile_ExitsOneAndIsDeleted()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test" });
        await using var sim = await StartReadyAsync(home);

        home.CreateFaultFile(NeardSimHome.CrashFile);

        Assert.Equal(1, await sim.WaitForExitAsync(ExitTimeout));
        Assert.False(home.FaultFileExists(NeardSimHome.CrashFile));
    }

    [Fact(Timeout = 60_000)]
    public async Task CrashAfterMs_ExitsOneAfterThatLong()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { CrashAfterMs = 1200 });
        await using var sim = SimProcess.Start(home);

        Assert.Equal(1, await sim.WaitForExitAsync(ExitTimeout));
        Assert.True(sim.SinceStart >= TimeSpan.FromMilliseconds(1200));
    }

    private static async Task<SimProcess> StartReadyAsync(NeardSimHome home)
    {
        var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is not null, "status answers", () => sim.Output);
        return sim;
    }

    /// <summary>True when GET /status gets no answer within half a second though the connection is accepted.</summary>
    private static async Task<bool> TimesOutAsync(SimRpc rpc)
    {
        try
        {
            await rpc.GetAsync("status", TimeSpan.FromMilliseconds(500));
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
