using NeardSim.Chain;

namespace NeardSim.Home;

/// <summary>What the sim reads from genesis.json; every other field is ignored.</summary>
internal sealed record GenesisFile(
    string ChainId,
    DateTimeOffset GenesisTime,
    long EpochLength,
    int ProtocolVersion,
    IReadOnlyList<string> Validators,
    int BlockIntervalMs,
    long DutySeed,
    int DutyPercent)
{
    /// <summary>
    /// genesis.json's block_producer_kickout_threshold, chunk_producer_kickout_threshold and
    /// chunk_validator_only_kickout_threshold (percent); <see cref="KickoutThresholds.Default"/> when absent.
    /// </summary>
    public KickoutThresholds Kickout { get; init; } = KickoutThresholds.Default;

    /// <summary>
    /// sim.chunk_only_validators: accounts that produce the chunk of shard 0 at their duty heights and
    /// no blocks (nearcore's chunk producers without a block producer seat).
    /// </summary>
    public IReadOnlySet<string> ChunkOnlyValidators { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>validators[].public_key where given: the key every node reports for that validator.</summary>
    public IReadOnlyDictionary<string, string> ValidatorPublicKeys { get; init; } = new Dictionary<string, string>();

    public const string FileName = "genesis.json";

    public static GenesisFile Load(string path)
    {
        using var document = JsonFile.Parse(path);
        var root = new JsonObjectReader(document.RootElement, "genesis.json: ");
        var timeText = root.RequiredString("genesis_time");
        if (!Rfc3339.TryParse(timeText, out var genesisTime))
        {
            throw root.Error("genesis_time", $"is not an RFC 3339 time: '{timeText}'");
        }

        var validators = new List<string>();
        var publicKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in root.Array("validators"))
        {
            if (entry.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                throw root.Error("validators", "must be an array of objects");
            }

            var reader = new JsonObjectReader(entry, "genesis.json: validators[].");
            var account = reader.RequiredString("account_id");
            if (!validators.Contains(account, StringComparer.Ordinal))
            {
                validators.Add(account);
                if (reader.String("public_key") is { Length: > 0 } publicKey)
                {
                    publicKeys[account] = publicKey;
                }
            }
        }

        var sim = root.Object("sim");
        var chunkOnly = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in sim?.Array("chunk_only_validators") ?? [])
        {
            if (entry.ValueKind != System.Text.Json.JsonValueKind.String || entry.GetString() is not { Length: > 0 } account)
            {
                throw root.Error("sim.chunk_only_validators", "must be an array of account ids");
            }

            chunkOnly.Add(account);
        }

        var defaults = KickoutThresholds.Default;
        var kickout = new KickoutThresholds(
            (int)(root.Int64("block_producer_kickout_threshold", min: 0, max: 100) ?? defaults.BlockProducer),
            (int)(root.Int64("chunk_producer_kickout_threshold", min: 0, max: 100) ?? defaults.ChunkProducer),
            (int)(root.Int64("chunk_validator_only_kickout_threshold", min: 0, max: 100) ?? defaults.ChunkValidatorOnly));
        return new GenesisFile(
            root.RequiredString("chain_id"),
            genesisTime,
            root.Int64("epoch_length", min: 1) ?? throw root.Error("epoch_length", "is required (a positive integer)"),
            (int)(root.Int64("protocol_version", min: 0, max: int.MaxValue) ?? 69),
            validators,
            (int)(sim?.Int64("block_interval_ms", min: 1, max: 3_600_000) ?? 500),
            sim?.Int64("duty_seed") ?? 7,
            (int)(sim?.Int64("duty_percent", min: 0, max: 100) ?? 33))
        {
            Kickout = kickout,
            ValidatorPublicKeys = publicKeys,
            ChunkOnlyValidators = chunkOnly,
        };
    }
}
