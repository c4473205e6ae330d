namespace Knd.Configuration;

/// <summary>
/// Finds each option's raw value by precedence: flag, then <c>KND_*</c>, then kuutamod's
/// <c>KUUTAMO_*</c>, then the config file. An empty environment variable counts as unset, as
/// systemd's <c>Environment=NAME=</c> is the usual way to clear one.
/// </summary>
internal sealed class OptionSources
{
    private readonly RunOptionsInput _input;
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _config = new Dictionary<string, IReadOnlyList<string>>();
    private OptionOrigin? _configOrigin;

    public OptionSources(RunOptionsInput input)
    {
        _input = input;
    }

    public string? Variable(string name) => _input.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>Reads the config file named by <c>--config</c> or <c>KND_CONFIG</c>, if any.</summary>
    public void LoadConfigFile()
    {
        if (FromFlagOrEnvironment(RunOptionCatalog.Config) is not { } config)
        {
            return;
        }

        var path = Single(config);
        if (path.Length == 0)
        {
            throw new RunOptionException(new RunOptionError(config.Spec.Flag, config.Origin.Describe(), "the path is empty"));
        }

        var fullPath = Path.GetFullPath(path);
        _configOrigin = OptionOrigin.File(fullPath);
        _config = ConfigFileReader.Read(fullPath, config.Origin);
    }

    /// <summary>The option's value, or null when nothing sets it (the caller applies the default).</summary>
    public OptionValue? Find(RunOptionSpec spec)
    {
        if (FromFlagOrEnvironment(spec) is { } value)
        {
            return value;
        }

        return _config.TryGetValue(spec.Name, out var values) ? new OptionValue(spec, values, _configOrigin!) : null;
    }

    /// <summary>The value of a single-valued option: given twice (possible only in tests' flag maps) is an error.</summary>
    public static string Single(OptionValue value)
    {
        if (value.Values.Count != 1)
        {
            throw new RunOptionException(new RunOptionError(value.Spec.Flag, value.Origin.Describe(), "given more than once"));
        }

        return value.Values[0];
    }

    private OptionValue? FromFlagOrEnvironment(RunOptionSpec spec)
    {
        if (_input.Flags.TryGetValue(spec.Name, out var flags) && flags.Count > 0)
        {
            return new OptionValue(spec, flags, OptionOrigin.Flag);
        }

        if (Variable(spec.EnvName) is { } own)
        {
            return new OptionValue(spec, [own], OptionOrigin.Variable(spec.EnvName));
        }

        if (spec.KuutamoAlias is { } alias && Variable(alias) is { } kuutamo)
        {
            return new OptionValue(spec, [kuutamo], OptionOrigin.Variable(alias));
        }

        return null;
    }
}
