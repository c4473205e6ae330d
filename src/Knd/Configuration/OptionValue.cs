namespace Knd.Configuration;

/// <summary>Where an option's value came from, for error messages.</summary>
internal enum OptionOriginKind
{
    Flag,
    Environment,
    ConfigFile,
    Default,
}

/// <summary>Where an option's value came from: a flag, a named variable, a config file or the default.</summary>
internal sealed record OptionOrigin(OptionOriginKind Kind, string? Label = null)
{
    public static readonly OptionOrigin Flag = new(OptionOriginKind.Flag);

    public static readonly OptionOrigin Default = new(OptionOriginKind.Default);

    public static OptionOrigin Variable(string name) => new(OptionOriginKind.Environment, name);

    public static OptionOrigin File(string path) => new(OptionOriginKind.ConfigFile, path);

    /// <summary>The parenthesised note after the option name in an error; none for a flag.</summary>
    public string? Describe() => Kind switch
    {
        OptionOriginKind.Flag => null,
        OptionOriginKind.Environment => $"from {Label}",
        OptionOriginKind.ConfigFile => $"from config file {Label}",
        _ => Label is null ? "default" : $"default, from {Label}",
    };
}

/// <summary>The raw text of one option as given, before validation, and where it came from.</summary>
internal sealed record OptionValue(RunOptionSpec Spec, IReadOnlyList<string> Values, OptionOrigin Origin)
{
    /// <summary>The value of a single-valued option.</summary>
    public string Text => Values[^1];
}
