using System.Globalization;
using System.Text;

namespace Knd.Localnet;

/// <summary>
/// The terminal: on a TTY a block (the table) redrawn in place with ANSI cursor moves, and event
/// lines scrolling above it; otherwise plain lines, the table printed whenever a node's state or
/// the leader changes and at least every <see cref="PlainRepeat"/>.
/// </summary>
internal sealed class LiveView
{
    public static readonly TimeSpan PlainRepeat = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly long _start;
    private IReadOnlyList<string> _block = [];
    private int _drawnLines;
    private string? _plainShape;
    private long _plainPrintedAt;

    public LiveView(TextWriter output, bool ansi, TimeProvider time)
    {
        _output = output;
        Ansi = ansi;
        _time = time;
        _start = time.GetTimestamp();
    }

    public bool Ansi { get; }

    /// <summary>Whether stdout is a terminal that understands ANSI escapes.</summary>
    public static bool StdoutIsTerminal() =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    public TimeSpan Elapsed => _time.GetElapsedTime(_start);

    /// <summary>A line that stays: a failover, a kill, a restart.</summary>
    public void Event(string line)
    {
        lock (_gate)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"[{Elapsed.TotalSeconds,7:0.0}s] {line}");
            if (!Ansi)
            {
                Write(text + Environment.NewLine);
                return;
            }

            var frame = new StringBuilder();
            Erase(frame);
            frame.Append(text).Append("\x1b[K\n");
            DrawBlock(frame);
            Write(frame.ToString());
        }
    }

    /// <summary>Replaces the live block. <paramref name="shape"/> names what matters for plain output (states, leader).</summary>
    public void Draw(IReadOnlyList<string> block, string shape)
    {
        lock (_gate)
        {
            _block = block;
            if (Ansi)
            {
                var frame = new StringBuilder();
                Erase(frame);
                DrawBlock(frame);
                Write(frame.ToString());
                return;
            }

            var now = _time.GetTimestamp();
            if (shape == _plainShape && _time.GetElapsedTime(_plainPrintedAt, now) < PlainRepeat)
            {
                return;
            }

            _plainShape = shape;
            _plainPrintedAt = now;
            Write(Environment.NewLine + string.Join(Environment.NewLine, block) + Environment.NewLine + Environment.NewLine);
        }
    }

    /// <summary>Leaves the last block on the screen and the cursor below it.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (Ansi)
            {
                Write("\x1b[?25h");
            }
        }
    }

    /// <summary>Writes and flushes; a terminal that went away (SIGHUP) must not stop the shutdown that follows.</summary>
    private void Write(string text)
    {
        try
        {
            _output.Write(text);
            _output.Flush();
        }
        catch (IOException)
        {
            // Nobody is reading any more.
        }
    }

    private void Erase(StringBuilder frame)
    {
        if (_drawnLines > 0)
        {
            frame.Append(CultureInfo.InvariantCulture, $"\x1b[{_drawnLines}F");
        }

        frame.Append("\x1b[J\x1b[?25l");
    }

    private void DrawBlock(StringBuilder frame)
    {
        foreach (var line in _block)
        {
            frame.Append(line).Append("\x1b[K\n");
        }

        _drawnLines = _block.Count;
    }
}
