using System.Text.Json;
using System.Text.RegularExpressions;
using Knd.Interop;
using Knd.IntegrationTests.Infrastructure;
using NeardSim.Chain;

namespace Knd.IntegrationTests.NeardSim;

/// <summary>Block production seen through `validators` and `block.author`, with real sims sharing one ledger.</summary>
public sealed partial class NeardSimProductionTests
{
    private const long EpochLength = 30;
    private const string OtherProducer = "sim-other-producer";
    private static readonly DutySchedule Duties = new(7, 50);

    [Fact(Timeout = 120_000)]
    public async Task SigningAndSilentValidators_ValidatorsAndAuthorsShowWhoProduced()
    {
        var options = new NeardSimHomeOptions
        {
            GenesisTime = TimeProvider.System.GetUtcNow().AddMinutes(-1),
            EpochLength = EpochLength,
            DutyPercent = 50,
            GenesisValidators = ["signer.test", "silent.test"],
        };
        using var signerHome = NeardSimHome.Create(options with { ValidatorAccountId = "signer.test" });
        using var silentHome = NeardSimHome.Create(options with { ValidatorAccountId = "silent.test" });
        silentHome.EditConfig(config => config["sim"]!["sign"] = false);
        var ledgerPath = Path.Combine(signerHome.Dir, "shared.jsonl");
        await using var signer = SimProcess.Start(signerHome, ledgerPath);
        await using var silent = SimProcess.Start(silentHome, ledgerPath);
        using var signerRpc = new SimRpc(signerHome.RpcUrl);
        using var silentRpc = new SimRpc(silentHome.RpcUrl);
        string Diagnostics() => signer.Output + silent.Output;

        // A whole epoch that starts after both sims are up, and a block after it so that it is finished.
        var epoch = (Math.Max(await ReadyHeadAsync(signerRpc, Diagnostics), await ReadyHeadAsync(silentRpc, Diagnostics)) / EpochLength) + 1;
        var first = epoch * EpochLength;
        var last = first + EpochLength - 1;
        await Eventually.HoldsAsync(
            async () => await HeadAsync(signerRpc) > last + 1 && await HeadAsync(silentRpc) > last + 1,
            $"epoch {epoch} ({first}..{last}) is finished", Diagnostics);

        var fromSigner = await ResultAsync(signerRpc, "validators", $"[{last}]");
        var fromSilent = await ResultAsync(silentRpc, "validators", $"{{\"block_id\":{last}}}");

        // Both nodes see the same chain.
        Assert.Equal(fromSigner.GetRawText(), fromSilent.GetRawText());
        Assert.Equal(first, fromSigner.GetProperty("epoch_start_height").GetInt64());
        var ledger = LedgerReader.Read(ledgerPath);
        ledger.AssertNoDoubleSign();
        Assert.Empty(ledger.HeightsOf("silent.test"));
        var signed = ledger.HeightsOf("signer.test").Where(h => h >= first && h <= last && Duties.HasDuty("signer.test", h)).ToList();
        Assert.NotEmpty(signed);
        Assert.Equal((DutiesIn("signer.test", first, last), (long)signed.Count), Counts(fromSigner, "signer.test"));
        Assert.Equal((DutiesIn("silent.test", first, last), 0L), Counts(fromSigner, "silent.test"));

        // The next epoch reports the silent validator kicked out for the blocks it did not produce.
        var nextEpochId = (await ResultAsync(silentRpc, "block", $"[{last + 1}]")).GetProperty("header").GetProperty("epoch_id").GetString();
        var next = await ResultAsync(silentRpc, "validators", $"{{\"epoch_id\":\"{nextEpochId}\"}}");
        var kickout = next.GetProperty("prev_epoch_kickout").EnumerateArray().Single(k => k.GetProperty("account_id").GetString() == "silent.test");
        Assert.Equal(
            $$$"""{"NotEnoughBlocks":{"produced":0,"expected":{{{DutiesIn("silent.test", first, last)}}}}}""",
            kickout.GetProperty("reason").GetRawText());

        // block.author: the signer at what it signed; someone else where the silent validator had duty.
        var signedHeight = signed[0];
        Assert.Equal("signer.test", (await ResultAsync(silentRpc, "block", $"{{\"block_id\":{signedHeight}}}")).GetProperty("author").GetString());
        var skipped = Enumerable.Range((int)first, (int)EpochLength).Select(h => (long)h)
            .First(h => Duties.HasDuty("silent.test", h) && !Duties.HasDuty("signer.test", h));
        var skippedBlock = await ResultAsync(signerRpc, "block", $"[{skipped}]");
        Assert.Equal(OtherProducer, skippedBlock.GetProperty("author").GetString());
        Assert.False(skippedBlock.GetProperty("header").GetProperty("chunk_mask")[0].GetBoolean());

        // The silent node looks healthy: synced, advancing, its key loaded.
        var status = (await silentRpc.StatusAsync())!.Value;
        Assert.Equal("silent.test", status.GetProperty("validator_account_id").GetString());
        Assert.False(status.GetProperty("sync_info").GetProperty("syncing").GetBoolean());
        Assert.Equal(1, await silentRpc.MetricAsync("near_is_validator"));
        Assert.Equal(0, await silentRpc.MetricAsync("near_sim_signing"));
        Assert.Equal(1, await signerRpc.MetricAsync("near_sim_signing"));
        await Eventually.HoldsAsync(() => silent.Output.Contains("Did not sign duty height", StringComparison.Ordinal),
            "the silent node logs the duty it skipped", () => silent.Output);
    }

    [Fact(Timeout = 90_000)]
    public async Task NoSignFile_RunningNodeStopsSigningUntilRemoved()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { ValidatorAccountId = "pool.test", DutyPercent = 100 });
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= 3, "the node signs", () => sim.Output);

        home.CreateFaultFile("sim-no-sign");
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_sim_signing") == 0, "signing stops", () => sim.Output);
        var stoppedAt = TimeProvider.System.GetUtcNow();
        var head = await HeadAsync(rpc);
        await Eventually.HoldsAsync(async () => await HeadAsync(rpc) >= head + 5, "five blocks pass", () => sim.Output);

        Assert.DoesNotContain(LedgerReader.Read(home.DefaultLedgerPath).Entries, e => e.Time > stoppedAt);
        Assert.NotNull(await rpc.StatusAsync());

        home.RemoveFaultFile("sim-no-sign");
        var resumedAfter = TimeProvider.System.GetUtcNow();
        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Entries.Any(e => e.Time >= resumedAfter),
            "signing resumes", () => sim.Output);
    }

    [Fact(Timeout = 90_000)]
    public async Task RogueSigner_DocumentedRecipe_DoubleSignsInTheClustersLedger()
    {
        var options = new NeardSimHomeOptions { ValidatorAccountId = "pool.test", GenesisValidators = ["pool.test"], DutyPercent = 50 };
        using var node = NeardSimHome.Create(options);
        var ledgerPath = Path.Combine(node.Dir, "cluster-ledger.jsonl");
        await using var cluster = SimProcess.Start(node, ledgerPath);
        using var clusterRpc = new SimRpc(node.RpcUrl);
        await Eventually.HoldsAsync(() => LedgerReader.Read(ledgerPath).Count >= 1, "the cluster node signs", () => cluster.Output);

        // docs/neard-sim.md "A rogue signer": a copy of the home, its own RPC port, the same ledger.
        using var rogueDir = new TempDirectory("neard-sim-rogue-");
        foreach (var file in new[] { "genesis.json", "config.json", "node_key.json", "validator_key.json" })
        {
            File.Copy(Path.Combine(node.Dir, file), Path.Combine(rogueDir.Path, file));
        }

        await using var rogue = SimProcess.StartWithArguments(["--home", rogueDir.Path, "run", "--rpc-addr", "127.0.0.1:0"], ledgerPath);
        string Diagnostics() => cluster.Output + rogue.Output;
        await Eventually.HoldsAsync(() => LedgerReader.Read(ledgerPath).HasDoubleSign, "the ledger shows the double sign", Diagnostics);

        var doubleSign = LedgerReader.Read(ledgerPath).DoubleSigns[0];
        Assert.Equal("pool.test", doubleSign.AccountId);
        Assert.Equal(new[] { node.Dir, rogueDir.Path }.Order(), doubleSign.Entries.Select(e => e.Home).Order());
        Assert.Equal(new[] { cluster.Pid, rogue.Pid }.Order(), doubleSign.Entries.Select(e => e.Pid).Order());

        // Both report the height as the account's block; the rogue listens on a port of its own.
        // The ledger is a file and the ready line comes through a pipe: the double sign can be read before the line is.
        await Eventually.HoldsAsync(() => ReadyUrl(rogue.Output) is not null, "the rogue prints its ready line", Diagnostics);
        using var rogueRpc = new SimRpc(ReadyUrl(rogue.Output)!);
        Assert.NotEqual(node.RpcUrl, rogueRpc.BaseUrl);
        foreach (var rpc in new[] { clusterRpc, rogueRpc })
        {
            var block = await ResultAsync(rpc, "block", $"[{doubleSign.Height}]");
            Assert.Equal("pool.test", block.GetProperty("author").GetString());
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task HotSwap_NotShadowTracked_SignsOnlyAfterTheCatchUpTime()
    {
        using var home = NeardSimHome.Create(new NeardSimHomeOptions { DutyPercent = 100 });
        home.EditConfig(config => config["sim"]!["hot_swap_catchup_ms"] = 2000);
        await using var sim = SimProcess.Start(home);
        using var rpc = new SimRpc(home.RpcUrl);
        await ReadyHeadAsync(rpc, () => sim.Output);

        home.WriteValidatorKey("pool.test");
        var swappedAt = TimeProvider.System.GetUtcNow();
        Assert.True(sim.Signal(Libc.SigHup));
        await Eventually.HoldsAsync(async () => await rpc.MetricAsync("near_sim_catching_up") == 1, "the new key catches up", () => sim.Output);
        Assert.Equal("pool.test", (await rpc.StatusAsync())!.Value.GetProperty("validator_account_id").GetString());

        await Eventually.HoldsAsync(() => LedgerReader.Read(home.DefaultLedgerPath).Count >= 1, "the new key signs", () => sim.Output);

        var firstSigned = LedgerReader.Read(home.DefaultLedgerPath).Entries[0].Time;
        Assert.True(firstSigned >= swappedAt.AddMilliseconds(2000), $"signed at {firstSigned:O}, swapped at {swappedAt:O}");
        Assert.Equal(0, await rpc.MetricAsync("near_sim_catching_up"));
        await Eventually.HoldsAsync(() => sim.Output.Contains("Node has not caught up yet", StringComparison.Ordinal),
            "the node logs that it had not caught up", () => sim.Output);
    }

    private static long DutiesIn(string account, long first, long last)
    {
        long count = 0;
        for (var h = first; h <= last; h++)
        {
            count += Duties.HasDuty(account, h) ? 1 : 0;
        }

        return count;
    }

    private static (long Expected, long Produced) Counts(JsonElement validators, string account)
    {
        var entry = validators.GetProperty("current_validators").EnumerateArray().Single(v => v.GetProperty("account_id").GetString() == account);
        return (entry.GetProperty("num_expected_blocks").GetInt64(), entry.GetProperty("num_produced_blocks").GetInt64());
    }

    private static async Task<long> ReadyHeadAsync(SimRpc rpc, Func<string> diagnostics)
    {
        long head = -1;
        await Eventually.HoldsAsync(async () => (head = await HeadAsync(rpc)) >= 0, "status answers", diagnostics);
        return head;
    }

    private static async Task<long> HeadAsync(SimRpc rpc) =>
        await rpc.StatusAsync() is { } status ? status.GetProperty("sync_info").GetProperty("latest_block_height").GetInt64() : -1;

    private static async Task<JsonElement> ResultAsync(SimRpc rpc, string method, string parameters)
    {
        var (_, body) = await rpc.PostAsync($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{parameters}},"id":1}""", TimeSpan.FromSeconds(5));
        Assert.True(body.TryGetProperty("result", out var result), body.ToString());
        return result;
    }

    private static Uri? ReadyUrl(string output) =>
        ReadyLine().Match(output) is { Success: true } match ? new Uri(match.Groups[1].Value + "/", UriKind.Absolute) : null;

    [GeneratedRegex(@"neard-sim ready rpc=(http://[^ ]+) pid=", RegexOptions.CultureInvariant)]
    private static partial Regex ReadyLine();
}
