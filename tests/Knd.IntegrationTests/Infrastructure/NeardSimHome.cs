using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NeardSim.Chain;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// What a test neard-sim home looks like. Defaults are fast (100 ms blocks) and give every
/// account duties on about a third of the heights. Homes that must agree on heights (one
/// localnet) need the same <see cref="GenesisTime"/>, <see cref="BlockIntervalMs"/> and duty settings.
/// </summary>
internal sealed record NeardSimHomeOptions
{
    public string ChainId { get; init; } = "knd-test";

    /// <summary>Defaults to one minute before the home is created.</summary>
    public DateTimeOffset? GenesisTime { get; init; }

    public long EpochLength { get; init; } = 200;

    public int BlockIntervalMs { get; init; } = 100;

    public long DutySeed { get; init; } = 7;

    public int DutyPercent { get; init; } = 33;

    /// <summary>genesis.json validators[].account_id.</summary>
    public IReadOnlyList<string> GenesisValidators { get; init; } = ["validator.test"];

    /// <summary>genesis.json sim.chunk_only_validators: accounts that make chunks and no blocks.</summary>
    public IReadOnlyList<string> ChunkOnlyValidators { get; init; } = [];

    /// <summary>Writes validator_key.json for this account when set; no key file when null.</summary>
    public string? ValidatorAccountId { get; init; }

    /// <summary>node_key.json's account; neard writes "node".</summary>
    public string NodeKeyAccountId { get; init; } = "node";

    /// <summary>The loopback RPC port; null picks a free one.</summary>
    public int? RpcPort { get; init; }

    public long? ExpectedShutdown { get; init; }

    public int StartupMs { get; init; }

    public int SyncMs { get; init; }

    public bool RpcHang { get; init; }

    public int? CrashAfterMs { get; init; }

    public int IgnoreSigtermMs { get; init; }

    /// <summary>"tuple" (default) or "object".</summary>
    public string? WindowsFormat { get; init; }
}

/// <summary>
/// Writes a neard home (genesis.json, config.json, node_key.json and optionally validator_key.json)
/// for neard-sim, and edits it the way a supervisor or an operator would.
/// </summary>
internal sealed class NeardSimHome : IDisposable
{
    public const string RpcHangFile = "sim-rpc-hang";
    public const string CrashFile = "sim-crash";

    private readonly bool _ownsDir;

    private NeardSimHome(string dir, bool ownsDir, NeardSimHomeOptions options, int rpcPort)
    {
        Dir = dir;
        _ownsDir = ownsDir;
        Options = options;
        RpcPort = rpcPort;
    }

    public string Dir { get; }

    public NeardSimHomeOptions Options { get; }

    public int RpcPort { get; }

    /// <summary>"127.0.0.1:PORT", as in config.json rpc.addr.</summary>
    public string RpcAddr => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{RpcPort}");

    public Uri RpcUrl => new($"http://{RpcAddr}/");

    /// <summary>Where the sim writes its ledger unless NEARD_SIM_LEDGER says otherwise.</summary>
    public string DefaultLedgerPath => Path.Combine(Dir, "signed.jsonl");

    public string ConfigPath => Path.Combine(Dir, "config.json");

    public string ValidatorKeyPath => Path.Combine(Dir, "validator_key.json");

    /// <summary>Creates the home in <paramref name="dir"/>, or in a new temp dir (deleted on Dispose) when null.</summary>
    public static NeardSimHome Create(NeardSimHomeOptions? options = null, string? dir = null)
    {
        options ??= new NeardSimHomeOptions();
        var ownsDir = dir is null;
        dir ??= Directory.CreateTempSubdirectory("neard-sim-home-").FullName;
        Directory.CreateDirectory(dir);
        var genesisTime = options.GenesisTime ?? TimeProvider.System.GetUtcNow().AddMinutes(-1);
        options = options with { GenesisTime = genesisTime };
        var home = new NeardSimHome(dir, ownsDir, options, options.RpcPort ?? FreeLoopbackPort());
        home.WriteGenesis();
        home.WriteConfig();
        WriteKeyFile(Path.Combine(dir, "node_key.json"), options.NodeKeyAccountId);
        if (options.ValidatorAccountId is { } account)
        {
            home.WriteValidatorKey(account);
        }

        return home;
    }

    /// <summary>A free loopback TCP port for a config to name, from below the kernel's ephemeral range (<see cref="Knd.Localnet.FixedPorts"/>).</summary>
    public static int FreeLoopbackPort() => Knd.Localnet.FixedPorts.Next();

    /// <summary>NEAR key file JSON with fake but well-formed ed25519 keys derived from the account.</summary>
    public static string KeyFileJson(string accountId)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(accountId));
        var secret = new byte[64];
        seed.CopyTo(secret, 0);
        SHA256.HashData(seed).CopyTo(secret, 32);
        return new JsonObject
        {
            ["account_id"] = accountId,
            ["public_key"] = PublicKeyOf(accountId),
            ["secret_key"] = "ed25519:" + Base58.Encode(secret),
        }.ToJsonString();
    }

    /// <summary>The public key <see cref="KeyFileJson"/> writes for <paramref name="accountId"/>.</summary>
    public static string PublicKeyOf(string accountId) =>
        "ed25519:" + Base58.Encode(SHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(accountId))));

    /// <summary>Writes a key file with mode 0600, as neard does.</summary>
    public static void WriteKeyFile(string path, string accountId)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(KeyFileJson(accountId)));
    }

    public void WriteValidatorKey(string accountId) => WriteKeyFile(ValidatorKeyPath, accountId);

    public void RemoveValidatorKey() => File.Delete(ValidatorKeyPath);

    /// <summary>Sets or clears config.json's expected_shutdown, keeping every other field.</summary>
    public void SetExpectedShutdown(long? height) => EditConfig(config => config["expected_shutdown"] = height);

    /// <summary>Edits config.json as JSON (unknown fields kept) and replaces it atomically.</summary>
    public void EditConfig(Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        edit(config);
        WriteConfigText(config.ToJsonString());
    }

    /// <summary>Replaces config.json with exactly <paramref name="text"/> (e.g. malformed JSON).</summary>
    public void WriteConfigText(string text)
    {
        var temp = ConfigPath + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, ConfigPath, overwrite: true);
    }

    public void CreateFaultFile(string name) => File.WriteAllText(Path.Combine(Dir, name), "");

    public void RemoveFaultFile(string name) => File.Delete(Path.Combine(Dir, name));

    public bool FaultFileExists(string name) => File.Exists(Path.Combine(Dir, name));

    public void Dispose()
    {
        if (_ownsDir && Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }

    private void WriteGenesis()
    {
        var validators = new JsonArray();
        foreach (var account in Options.GenesisValidators)
        {
            validators.Add(new JsonObject
            {
                ["account_id"] = account,
                ["public_key"] = PublicKeyOf(account),
                ["amount"] = "100000000000000000000000000000000",
            });
        }

        var genesis = new JsonObject
        {
            ["chain_id"] = Options.ChainId,
            ["genesis_time"] = Options.GenesisTime!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["epoch_length"] = Options.EpochLength,
            ["protocol_version"] = 69,
            ["validators"] = validators,
            ["sim"] = new JsonObject
            {
                ["block_interval_ms"] = Options.BlockIntervalMs,
                ["duty_seed"] = Options.DutySeed,
                ["duty_percent"] = Options.DutyPercent,
                ["chunk_only_validators"] = new JsonArray([.. Options.ChunkOnlyValidators.Select(a => JsonValue.Create(a))]),
            },
        };
        File.WriteAllText(Path.Combine(Dir, "genesis.json"), genesis.ToJsonString());
    }

    private void WriteConfig()
    {
        var sim = new JsonObject
        {
            ["startup_ms"] = Options.StartupMs,
            ["sync_ms"] = Options.SyncMs,
            ["rpc_hang"] = Options.RpcHang,
            ["crash_after_ms"] = Options.CrashAfterMs,
            ["ignore_sigterm_ms"] = Options.IgnoreSigtermMs,
        };
        if (Options.WindowsFormat is { } format)
        {
            sim["windows_format"] = format;
        }

        var config = new JsonObject
        {
            ["genesis_file"] = "genesis.json",
            ["rpc"] = new JsonObject { ["addr"] = RpcAddr },
            ["network"] = new JsonObject { ["addr"] = "0.0.0.0:24567", ["boot_nodes"] = "", ["public_addrs"] = new JsonArray() },
            ["expected_shutdown"] = Options.ExpectedShutdown,
            ["sim"] = sim,
        };
        WriteConfigText(config.ToJsonString());
    }
}
