namespace Knd.Localnet;

/// <summary>A plain left-aligned table: each column as wide as its widest cell.</summary>
internal static class TextTable
{
    public static IReadOnlyList<string> Format(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        return [Line(header), .. rows.Select(Line)];
    }
}
