namespace Knd.Commands;

/// <summary>Human output of the control commands: key/value rows with the values aligned.</summary>
internal sealed class TextTable
{
    private readonly List<(string Key, string Value)> _rows = [];

    public TextTable Add(string key, string? value)
    {
        _rows.Add((key, string.IsNullOrEmpty(value) ? "-" : value.ReplaceLineEndings(" ")));
        return this;
    }

    public TextTable Add(string key, bool? value) => Add(key, value is null ? null : value.Value ? "yes" : "no");

    public TextTable Add(string key, long? value) => Add(key, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";
    private const string Reset = "\u001b[0m";

    /// <summary>Writes the rows; in colour (bold keys, dim empty values) only on a terminal, see <see cref="ShouldColour"/>.</summary>
    public async Task WriteAsync(TextWriter writer, bool? colour = null)
    {
        var useColour = colour ?? (ReferenceEquals(writer, Console.Out) && ShouldColour(Console.IsOutputRedirected, Environment.GetEnvironmentVariable));
        var width = _rows.Count == 0 ? 0 : _rows.Max(r => r.Key.Length);
        foreach (var (key, value) in _rows)
        {
            await writer.WriteLineAsync(useColour
                ? $"{Bold}{key.PadRight(width)}{Reset}  {(value == "-" ? Dim + value + Reset : value)}"
                : $"{key.PadRight(width)}  {value}");
        }
    }

    /// <summary>
    /// Colour only for a person at a terminal: never when the output is piped or redirected (a
    /// script parses it), when NO_COLOR is set to anything (no-color.org), or on TERM=dumb.
    /// </summary>
    internal static bool ShouldColour(bool outputRedirected, Func<string, string?> environment) =>
        !outputRedirected && string.IsNullOrEmpty(environment("NO_COLOR")) && environment("TERM") is not "dumb";
}
