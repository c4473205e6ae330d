namespace NeardSim.Home;

/// <summary>The node's home directory and the files in it that the sim reads.</summary>
internal sealed class NearHome
{
    public NearHome(string dir)
    {
        Dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
    }

    /// <summary>Absolute, without a trailing separator (it is written into every ledger line).</summary>
    public string Dir { get; }

    public string ConfigPath => Path.Combine(Dir, ConfigFile.FileName);

    public string GenesisPath => Path.Combine(Dir, GenesisFile.FileName);

    public string File(string name) => Path.Combine(Dir, name);

    /// <summary>Everything read at startup; any failure is a <see cref="HomeFileException"/>.</summary>
    public HomeSnapshot LoadAll()
    {
        var genesis = GenesisFile.Load(GenesisPath);
        var config = ConfigFile.Load(ConfigPath);
        var nodeKey = KeyFile.Load(File(config.NodeKeyFile));
        var validatorKey = KeyFile.LoadOptional(File(config.ValidatorKeyFile));
        return new HomeSnapshot(genesis, config, nodeKey, validatorKey);
    }

    /// <summary>The files SIGHUP re-reads: config.json and the validator key.</summary>
    public (ConfigFile Config, KeyFile? ValidatorKey) LoadUpdatable()
    {
        var config = ConfigFile.Load(ConfigPath);
        var validatorKey = KeyFile.LoadOptional(File(config.ValidatorKeyFile));
        return (config, validatorKey);
    }
}

/// <summary>The home as read at startup.</summary>
internal sealed record HomeSnapshot(GenesisFile Genesis, ConfigFile Config, KeyFile NodeKey, KeyFile? ValidatorKey);
