using System.Text.Json;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>One line of neard-sim's signing ledger.</summary>
internal sealed record LedgerEntry(long Height, string AccountId, string Home, int Pid, DateTimeOffset Time, int LineNumber);

/// <summary>A height of one account signed more than once: a safety violation.</summary>
internal sealed record DoubleSign(string AccountId, long Height, IReadOnlyList<LedgerEntry> Entries)
{
    public override string ToString() =>
        $"{AccountId}@{Height} signed {Entries.Count} times: " +
        string.Join(", ", Entries.Select(e => $"pid {e.Pid} home {e.Home} at {e.Time:O} (line {e.LineNumber})"));
}

/// <summary>The ledger at one instant.</summary>
internal sealed class LedgerSnapshot
{
    public LedgerSnapshot(IReadOnlyList<LedgerEntry> entries)
    {
        Entries = entries;
        DoubleSigns = LedgerReader.FindDoubleSigns(entries);
    }

    public IReadOnlyList<LedgerEntry> Entries { get; }

    public IReadOnlyList<DoubleSign> DoubleSigns { get; }

    public bool HasDoubleSign => DoubleSigns.Count > 0;

    public int Count => Entries.Count;

    /// <summary>The distinct heights signed for <paramref name="accountId"/>, ascending.</summary>
    public IReadOnlyList<long> HeightsOf(string accountId) =>
        [.. Entries.Where(e => e.AccountId == accountId).Select(e => e.Height).Distinct().Order()];

    public IReadOnlyList<LedgerEntry> EntriesOfPid(int pid) => [.. Entries.Where(e => e.Pid == pid)];

    /// <summary>Fails with every double sign listed when there is one.</summary>
    public void AssertNoDoubleSign()
    {
        if (HasDoubleSign)
        {
            throw new Xunit.Sdk.XunitException("double sign in the ledger: " + string.Join("; ", DoubleSigns));
        }
    }
}

/// <summary>
/// Reads neard-sim's signing ledger (one JSON object per line) and finds double signs: the
/// same (account_id, height) on two lines. A torn or malformed complete line is an error,
/// since each line is one O_APPEND write; a last line without its newline yet is skipped.
/// </summary>
internal static class LedgerReader
{
    /// <summary>A missing file is an empty ledger.</summary>
    public static LedgerSnapshot Read(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new LedgerSnapshot([]);
        }

        return new LedgerSnapshot(Parse(text, path));
    }

    public static IReadOnlyList<LedgerEntry> Parse(string text, string source = "ledger")
    {
        var entries = new List<LedgerEntry>();
        var complete = text.LastIndexOf('\n') + 1;
        var lines = text[..complete].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            entries.Add(ParseLine(lines[i], i + 1, source));
        }

        return entries;
    }

    public static IReadOnlyList<DoubleSign> FindDoubleSigns(IEnumerable<LedgerEntry> entries) =>
        [.. entries
            .GroupBy(e => (e.AccountId, e.Height))
            .Where(g => g.Count() > 1)
            .OrderBy(g => g.Key.Height)
            .Select(g => new DoubleSign(g.Key.AccountId, g.Key.Height, [.. g]))];

    private static LedgerEntry ParseLine(string line, int lineNumber, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return new LedgerEntry(
                root.GetProperty("height").GetInt64(),
                root.GetProperty("account_id").GetString()!,
                root.GetProperty("home").GetString()!,
                root.GetProperty("pid").GetInt32(),
                DateTimeOffset.Parse(root.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                lineNumber);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} line {lineNumber} is not a ledger entry: {line}", e);
        }
    }
}
