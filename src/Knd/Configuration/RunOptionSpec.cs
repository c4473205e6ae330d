namespace Knd.Configuration;

/// <summary>
/// One option of <c>knd run</c>: its flag, environment variables, config file key and help text.
/// The single description of an option that the command line, the parser and <c>--help</c> share.
/// </summary>
/// <param name="Name">The flag without dashes; also the config file key.</param>
/// <param name="ValueName">The value's placeholder in <c>--help</c>.</param>
/// <param name="Meaning">What the option does, for <c>--help</c>.</param>
/// <param name="DefaultText">The default as <c>--help</c> shows it, or null when there is none.</param>
/// <param name="KuutamoAlias">kuutamod's environment variable for the same setting, if any.</param>
internal sealed record RunOptionSpec(string Name, string ValueName, string Meaning, string? DefaultText, string? KuutamoAlias = null)
{
    /// <summary>The option may be given several times (and as a comma-separated list).</summary>
    public bool IsList { get; init; }

    /// <summary>A whole number: the config file may give it as a JSON number as well as a string.</summary>
    public bool IsCount { get; init; }

    /// <summary>A switch: given alone it means true; it also takes true or false (and JSON booleans in the config file).</summary>
    public bool IsFlag { get; init; }

    /// <summary>Whether the config file may set this option (not <c>--config</c> itself).</summary>
    public bool InConfigFile { get; init; } = true;

    public string Flag => "--" + Name;

    /// <summary>knd's own environment variable: <c>KND_</c> and the name in upper case with underscores.</summary>
    public string EnvName => "KND_" + Name.Replace('-', '_').ToUpperInvariant();

    public string HelpDescription
    {
        get
        {
            var env = KuutamoAlias is null ? EnvName : $"{EnvName}, {KuutamoAlias}";
            var text = $"{Meaning} [env: {env}]";
            return DefaultText is null ? text : $"{text} [default: {DefaultText}]";
        }
    }
}
