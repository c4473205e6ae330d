using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Knd.Logging;

/// <summary>
/// Writes each rendered event to the stream in a single write, so that a line cannot be cut by
/// another writer of the same pipe. neard inherits knd's stderr (the journal's stream under
/// systemd); Console.Error flushes every 256 characters, and a neard line landing between two such
/// flushes corrupted both lines. A pipe keeps writes up to PIPE_BUF (4096 bytes) whole; only a
/// longer event (a stack trace) can still be interleaved.
/// </summary>
internal sealed class WholeLineSink(ITextFormatter formatter, Stream output) : ILogEventSink, IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        var text = new StringWriter();
        formatter.Format(logEvent, text);
        var bytes = Utf8.GetBytes(text.ToString());
        lock (_gate)
        {
            try
            {
                output.Write(bytes);
                output.Flush();
            }
            catch (IOException)
            {
                // stderr closed (the reader went away): logging must never take the supervisor down.
            }
        }
    }

    public void Dispose() => output.Dispose();
}
