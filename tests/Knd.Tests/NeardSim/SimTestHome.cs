using System.Globalization;
using Knd.Tests.Infrastructure;
using NeardSim.Home;
using NeardSim.Node;

namespace Knd.Tests.NeardSim;

/// <summary>
/// A temporary neard home for unit tests, with a fake clock starting at genesis time.
/// Defaults: epoch_length 40, block_interval_ms 100, duty_seed 7, duty_percent 33,
/// genesis validator a.test (duties in 0..39: 0 7 12 15 20 27-32 38 39).
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

    public void WriteGenesis(int epochLength = 40, int blockIntervalMs = 100, int dutyPercent = 33) =>
        File.WriteAllText(PathOf("genesis.json"), string.Create(CultureInfo.InvariantCulture, $$$"""
            {"chain_id":"unit","genesis_time":"2025-01-01T00:00:00.000000000Z","epoch_length":{{{epochLength}}},
             "validators":[{"account_id":"a.test","public_key":"ed25519:a","amount":"1"}],
             "sim":{"block_interval_ms":{{{blockIntervalMs}}},"duty_seed":7,"duty_percent":{{{dutyPercent}}}}}
            """));

    public void WriteConfig(string json) => File.WriteAllText(PathOf("config.json"), json);

    public void WriteValidatorKey(string account) => File.WriteAllText(
        PathOf("validator_key.json"),
        $$"""{"account_id":"{{account}}","public_key":"ed25519:pk-{{account}}","secret_key":"ed25519:secret"}""");

    public void DeleteValidatorKey() => File.Delete(PathOf("validator_key.json"));

    public NodeState CreateState(string? bootNodes = null) => new(Home, Home.LoadAll(), bootNodes, Time);

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
