using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Knd.Localnet;

/// <summary>One line of the shared neard-sim signing ledger (contract §8).</summary>
internal sealed record LedgerEntry(long Height, string AccountId, string Home, int Pid, DateTimeOffset Time);

/// <summary>
/// Follows the shared signing ledger: reads what was appended since the last call (each line is one
/// O_APPEND write, so a line without its newline yet is left for the next call) and keeps the
/// counts the table and the benchmark need. Not thread-safe: one poll loop owns it.
/// </summary>
internal sealed class Ledger
{
    private readonly string _path;
    private readonly List<LedgerEntry> _entries = [];
    private readonly Dictionary<(string Account, long Height), int> _signatures = [];
    private readonly Dictionary<string, int> _byHome = new(StringComparer.Ordinal);
    private readonly StringBuilder _partial = new();
    private long _offset;

    public Ledger(string path) => _path = path;

    public string Path => _path;

    public IReadOnlyList<LedgerEntry> Entries => _entries;

    /// <summary>(account, height) pairs signed more than once: each is a safety violation.</summary>
    public int DoubleSignedHeights { get; private set; }

    /// <summary>Lines that did not parse (a torn or foreign line); reported, never fatal.</summary>
    public int BadLines { get; private set; }

    public int SignedBy(string home) => _byHome.GetValueOrDefault(home);

    public bool IsSigned(string accountId, long height) => _signatures.ContainsKey((accountId, height));

    /// <summary>Reads the lines appended since the last call and returns them.</summary>
    public IReadOnlyList<LedgerEntry> Poll()
    {
        var added = new List<LedgerEntry>();
        try
        {
            using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < _offset)
            {
                return added;
            }

            stream.Seek(_offset, SeekOrigin.Begin);
            var buffer = new byte[stream.Length - _offset];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            _offset += read;
            _partial.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return added;
        }

        var text = _partial.ToString();
        var complete = text.LastIndexOf('\n') + 1;
        _partial.Clear().Append(text.AsSpan(complete));
        foreach (var line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Parse(line) is { } entry)
            {
                Add(entry);
                added.Add(entry);
            }
            else
            {
                BadLines++;
            }
        }

        return added;
    }

    private void Add(LedgerEntry entry)
    {
        _entries.Add(entry);
        _byHome[entry.Home] = _byHome.GetValueOrDefault(entry.Home) + 1;
        var key = (entry.AccountId, entry.Height);
        var count = _signatures.GetValueOrDefault(key) + 1;
        _signatures[key] = count;
        if (count == 2)
        {
            DoubleSignedHeights++;
        }
    }

    private static LedgerEntry? Parse(string line)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(line, LedgerJsonContext.Default.LedgerLineWire);
            return wire is { AccountId: { } account, Home: { } home, Time: { } time }
                ? new LedgerEntry(wire.Height, account, home, wire.Pid, time)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record LedgerLineWire(long Height, string? AccountId, string? Home, int Pid, DateTimeOffset? Time);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LedgerLineWire))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
