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

    public async Task WriteAsync(TextWriter writer)
    {
        var width = _rows.Count == 0 ? 0 : _rows.Max(r => r.Key.Length);
        foreach (var (key, value) in _rows)
        {
            await writer.WriteLineAsync($"{key.PadRight(width)}  {value}");
        }
    }
}
