using System.Globalization;
using Knd.Tests.Infrastructure;
using NeardSim.Home;
using NeardSim.Node;

namespace Knd.Tests.NeardSim;

/// <summary>
/// A temporary neard home for unit tests, with a fake clock starting at genesis time.
/// Defaults: epoch_length 40, block_interval_ms 100, duty_seed 7, duty_percent 33,
/// genesis validator a.test. Duties (seed 7, 33 %):
/// a.test  0..39: 0 7 12 15 20 27-32 38 39;  40..79: 40 42 43 48-51 53 58-61 67 68 70 77-79.
/// b.test  0..39: 0 1 3 8 10 12 13 18-21 27-30 37;  40..79: 46 47 49-51 58 59 62-64 69 74-76.
/// </summary>
internal sealed class SimTestHome : IDisposable
{
    public static readonly DateTimeOffset Genesis = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public SimTestHome(string? validatorAccount = "a.test", string configJson = """{"rpc":{"addr":"127.0.0.1:3030"}}""")
    {
        Dir = Directory.CreateTempSubdirectory("neard-sim-unit-").FullName;
        Time = new FakeTimeProvider(Genesis);
        WriteGenesis();
        File.WriteAllText(PathOf("config.json"), configJson);
        File.WriteAllText(PathOf("node_key.json"), """{"account_id":"node","public_key":"ed25519:node","secret_key":"ed25519:s"}""");
        if (validatorAccount is not null)
        {
            WriteValidatorKey(validatorAccount);
        }
    }

    public string Dir { get; }

    public FakeTimeProvider Time { get; }

    public NearHome Home => new(Dir);

    public string LedgerPath => PathOf("signed.jsonl");

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>
    /// genesis.json with <paramref name="validators"/> as its block producers (default a.test);
    /// <paramref name="extraFields"/> is inserted as top-level fields, e.g. <c>"block_producer_kickout_threshold":90,</c>;
    /// <paramref name="chunkOnly"/> become sim.chunk_only_validators.
    /// </summary>
    public void WriteGenesis(int epochLength = 40, int blockIntervalMs = 100, int dutyPercent = 33, string[]? validators = null, string extraFields = "", string[]? chunkOnly = null)
    {
        var entries = string.Join(",", (validators ?? ["a.test"]).Select(a => $$"""{"account_id":"{{a}}","public_key":"ed25519:genesis-{{a}}","amount":"1"}"""));
        var chunkOnlyList = string.Join(",", (chunkOnly ?? []).Select(a => $"\"{a}\""));
        File.WriteAllText(PathOf("genesis.json"), string.Create(CultureInfo.InvariantCulture, $$$"""
            {"chain_id":"unit","genesis_time":"2025-01-01T00:00:00.000000000Z","epoch_length":{{{epochLength}}},{{{extraFields}}}
             "validators":[{{{entries}}}],
             "sim":{"block_interval_ms":{{{blockIntervalMs}}},"duty_seed":7,"duty_percent":{{{dutyPercent}}},"chunk_only_validators":[{{{chunkOnlyList}}}]}}
            """));
    }

    /// <summary>Appends ledger lines for <paramref name="accountId"/> at <paramref name="heights"/>, as a sim would.</summary>
    public void AppendLedger(string accountId, params long[] heights) =>
        File.AppendAllLines(LedgerPath, heights.Select(h => LedgerLineJson(h, accountId)));

    public static string LedgerLineJson(long height, string accountId, int pid = 1) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"height":{{height}},"account_id":"{{accountId}}","home":"/x","pid":{{pid}},"time":"2025-01-01T00:00:00.000Z"}""");

    public void WriteConfig(string json) => File.WriteAllText(PathOf("config.json"), json);

    public void WriteValidatorKey(string account) => File.WriteAllText(
        PathOf("validator_key.json"),
        $$"""{"account_id":"{{account}}","public_key":"ed25519:pk-{{account}}","secret_key":"ed25519:secret"}""");

    public void DeleteValidatorKey() => File.Delete(PathOf("validator_key.json"));

    public NodeState CreateState(string? bootNodes = null, int catchUpAfterSwapBlocks = NodeState.DefaultCatchUpAfterSwapBlocks) =>
        new(Home, Home.LoadAll(), bootNodes, Time, catchUpAfterSwapBlocks);

    /// <summary>Moves the fake clock (wall and monotonic time together) to the start of <paramref name="height"/> (+1 ms).</summary>
    public void AdvanceToHeight(long height, int blockIntervalMs = 100)
    {
        var target = Genesis.AddMilliseconds((height * blockIntervalMs) + 1);
        var now = Time.GetUtcNow();
        if (target >= now)
        {
            Time.Advance(target - now);
        }
        else
        {
            Time.SetUtcNow(target);
        }
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
