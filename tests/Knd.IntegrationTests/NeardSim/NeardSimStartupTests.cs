using System.Net;
using System.Text.Json;
using Knd.Interop;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.NeardSim;

public sealed class NeardSimStartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task Rpc_BeforeStartupMs_Answers503WithEmptyBody()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { StartupMs = 600_000, ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);

        (HttpStatusCode Status, string Body)? response = null;
        await Eventually.HoldsAsync(async () => (response = await rpc.GetAsync("status", TimeSpan.FromSeconds(5))) is not null,
            "the sim accepts connections", () => sim.Output);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response!.Value.Status);
        Assert.Equal("", response.Value.Body);
        var (postStatus, _) = await rpc.PostAsync("""{"jsonrpc":"2.0","method":"status","params":[],"id":1}""", TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, postStatus);

        Assert.True(sim.Signal(Libc.SigTerm));
        Assert.Equal(0, await sim.WaitForExitAsync(ExitTimeout));
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_AfterStartupMs_AnswersNearcoreShape()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { StartupMs = 1500, ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home, bootNodes: "ed25519:K@10.0.0.1:24567");
        using var rpc = new SimRpc(home.RpcUrl);

        JsonElement? status = null;
        await Eventually.HoldsAsync(async () => (status = await rpc.StatusAsync()) is not null, "GET /status answers 200", () => sim.Output);

        Assert.True(sim.SinceStart >= TimeSpan.FromMilliseconds(1500), $"answered after {sim.SinceStart}");
        var body = status!.Value;
        Assert.Equal("knd-test", body.GetProperty("chain_id").GetString());
        Assert.Equal(home.RpcAddr, body.GetProperty("rpc_addr").GetString());
        Assert.Equal("pool.test", body.GetProperty("validator_account_id").GetString());
        Assert.Equal(NeardSimHome.PublicKeyOf("pool.test"), body.GetProperty("validator_public_key").GetString());
        Assert.Equal(NeardSimHome.PublicKeyOf("node"), body.GetProperty("node_public_key").GetString());
        var sync = body.GetProperty("sync_info");
        Assert.True(sync.GetProperty("latest_block_height").GetInt64() >= 600, "a minute of 100 ms blocks since genesis");
        Assert.EndsWith("Z", sync.GetProperty("latest_block_time").GetString(), StringComparison.Ordinal);
        Assert.Contains(body.GetProperty("validators").EnumerateArray(), v => v.GetProperty("account_id").GetString() == "validator.test");

        var (rpcStatus, envelope) = await rpc.PostAsync("""{"jsonrpc":"2.0","method":"status","params":[],"id":"dontcare"}""", TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, rpcStatus);
        Assert.Equal("dontcare", envelope.GetProperty("id").GetString());
        Assert.Equal("knd-test", envelope.GetProperty("result").GetProperty("chain_id").GetString());
        await Eventually.HoldsAsync(() => sim.Output.Contains($"neard-sim ready rpc=http://{home.RpcAddr} pid={sim.Pid}", StringComparison.Ordinal),
            "the ready line names the RPC address and pid", () => sim.Output);
        Assert.Equal(1, await rpc.MetricAsync("near_is_validator"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Syncing_ForSyncMs_ThenSyncedAndOnlyThenSigning()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { SyncMs = 2500, DutyPercent = 100, ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);

        await Eventually.HoldsAsync(
            async () => await rpc.StatusAsync() is { } s && !s.GetProperty("sync_info").GetProperty("syncing").GetBoolean(),
            "the sim reports synced", () => sim.Output);
        Assert.True(sim.SinceStart >= TimeSpan.FromMilliseconds(2500), $"synced after {sim.SinceStart}");
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count > 0, "the sim signs", () => sim.Output);

        var first = LedgerReader.Read(home.DefaultLedgerPath).Entries[0];
        // Every height is a duty at 100 %: any signing during the sync would show up here.
        Assert.True(first.Time >= sim.StartedAtWallClock.AddMilliseconds(2500 - 5), $"first signed at {first.Time:O}, started {sim.StartedAtWallClock:O}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Syncing_LongSyncMs_NeverSigns()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { SyncMs = 600_000, DutyPercent = 100, ValidatorAccountId = "pool.test" });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        long start = 0;
        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is { } s && (start = Height(s)) > 0, "status answers", () => sim.Output);

        await Eventually.HoldsAsync(async () => await rpc.StatusAsync() is { } s && Height(s) >= start + 10, "ten blocks pass", () => sim.Output);

        Assert.True((await rpc.StatusAsync())!.Value.GetProperty("sync_info").GetProperty("syncing").GetBoolean());
        Assert.Equal(0, LedgerReader.Read(home.DefaultLedgerPath).Count);
        Assert.Equal(503, (int)(await rpc.GetAsync("health", TimeSpan.FromSeconds(5)))!.Value.Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_MissingConfig_ExitsOneWithMessage()
    {
        using var home = NeardSimHome.Create();
        File.Delete(home.ConfigPath);
        await using var sim = SimProcess.Start(home);

        Assert.Equal(1, await sim.WaitForExitAsync(ExitTimeout));
        Assert.Contains("config.json", sim.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_UnparsableGenesis_ExitsOneWithMessage()
    {
        using var home = NeardSimHome.Create();
        await File.WriteAllTextAsync(Path.Combine(home.Dir, "genesis.json"), "{\"chain_id\":");
        await using var sim = SimProcess.Start(home);

        Assert.Equal(1, await sim.WaitForExitAsync(ExitTimeout));
        Assert.Contains("genesis.json: not valid JSON", sim.Output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--home /definitely/not/here run")]
    [InlineData("--home /tmp run --unknown")]
    [InlineData("--home /tmp")]
    public async Task Start_BadCommandLine_ExitsTwoWithOneLine(string commandLine)
    {
        await using var sim = SimProcess.StartWithArguments(commandLine.Split(' '));

        Assert.Equal(2, await sim.WaitForExitAsync(ExitTimeout));
        Assert.Single(sim.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact(Timeout = 60_000)]
    public async Task Version_PrintsReleaseAndExitsZero()
    {
        await using var sim = SimProcess.StartWithArguments(["--version"]);

        Assert.Equal(0, await sim.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith("neard-sim (release ", sim.Output, StringComparison.Ordinal);
    }

    private static long Height(JsonElement status) => status.GetProperty("sync_info").GetProperty("latest_block_height").GetInt64();
}
