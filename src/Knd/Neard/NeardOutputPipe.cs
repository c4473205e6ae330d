using System.Text;
using CliWrap;

namespace Knd.Neard;

/// <summary>
/// neard's stdout or stderr, read line by line into knd's log (category <c>neard</c>), so a neard
/// line is one log event and can never cut a knd line in two or the reverse. A line longer than
/// <see cref="MaxLineChars"/> is logged in pieces: a child that writes without newlines must not
/// grow knd's memory without bound. Never throws: a broken pipe ends the copy, not the supervision.
/// </summary>
internal sealed class NeardOutputPipe(ILogger logger, string stream) : PipeTarget
{
    public const int MaxLineChars = 8192;

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        try
        {
            using var reader = new StreamReader(origin, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
            var buffer = new char[4096];
            var line = new StringBuilder();
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var c = buffer[i];
                    if (c == '\n')
                    {
                        Emit(line);
                    }
                    else
                    {
                        line.Append(c);
                        if (line.Length >= MaxLineChars)
                        {
                            Emit(line);
                        }
                    }
                }
            }

            if (line.Length > 0)
            {
                Emit(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            logger.NeardOutputEnded(stream, ex.Message);
        }
    }

    private void Emit(StringBuilder line)
    {
        if (line.Length > 0 && line[^1] == '\r')
        {
            line.Length--;
        }

        logger.NeardOutput(stream, line.ToString());
        line.Clear();
    }
}
