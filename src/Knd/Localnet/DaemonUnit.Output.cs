namespace Knd.Localnet;

/// <summary>knd's output (and its neard's, which shares it): appended to <c>node-N/knd.log</c>, the exporter address picked out.</summary>
internal sealed partial class DaemonUnit
{
    private const string ExporterMarker = "knd exporter listening on ";
    private const int TailLines = 40;
    private readonly Lock _logGate = new();
    private readonly Queue<string> _tail = new();
    private StreamWriter? _log;

    /// <summary>The last lines knd and its neard wrote, for error messages.</summary>
    public IReadOnlyList<string> Tail()
    {
        lock (_logGate)
        {
            return [.. _tail];
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        var marker = line.IndexOf(ExporterMarker, StringComparison.Ordinal);
        if (marker >= 0 && Uri.TryCreate(line[(marker + ExporterMarker.Length)..].Trim().TrimEnd('/') + "/", UriKind.Absolute, out var exporter))
        {
            Exporter = exporter;
        }

        Append(line);
    }

    private void WriteLogMarker(string text) =>
        Append($"=== localnet {_time.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'}: {text} ===");

    private void Append(string line)
    {
        lock (_logGate)
        {
            _tail.Enqueue(line);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }

            try
            {
                _log ??= new StreamWriter(new FileStream(Layout.KndLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                _log.WriteLine(line);
            }
            catch (IOException)
            {
                // A full disk must not take the localnet down; the tail keeps the last lines.
            }
        }
    }

    /// <summary>knd's one-line configuration error (<c>knd run: --option: ...</c>), if it wrote one.</summary>
    private string? LastErrorLine()
    {
        lock (_logGate)
        {
            return _tail.LastOrDefault(l => l.StartsWith("knd run: ", StringComparison.Ordinal) && !l.StartsWith("knd run: warning", StringComparison.Ordinal))
                ?? _tail.LastOrDefault(l => l.StartsWith("knd", StringComparison.Ordinal));
        }
    }

    private void CloseLog()
    {
        lock (_logGate)
        {
            _log?.Dispose();
            _log = null;
        }
    }
}
