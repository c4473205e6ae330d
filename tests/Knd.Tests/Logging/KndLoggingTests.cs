using System.Text;
using System.Text.Json.Nodes;
using Knd.Logging;
using Serilog.Events;

namespace Knd.Tests.Logging;

public sealed class KndLoggingTests
{
    [Theory]
    [InlineData("json", null)]
    [InlineData("text", null)]
    [InlineData("text", "8:12345")]
    public void ALongEvent_IsWrittenToTheConsoleInOneWrite_SoNeardCannotCutIt(string formatName, string? journalStream)
    {
        var format = formatName == "json" ? LogFormat.Json : LogFormat.Text;
        var console = new RecordingStream();
        var detail = new string('x', 1500);
        using (var logger = KndLogging.CreateLogger(format, null, name => name == "JOURNAL_STREAM" ? journalStream : null, console: console))
        {
            logger.ForContext("SourceContext", "Knd.Tests").Information("first {Detail}", detail);
            logger.ForContext("SourceContext", "Knd.Tests").Warning("second {Detail}", detail);
        }

        Assert.Equal(2, console.Writes.Count);
        foreach (var write in console.Writes)
        {
            var line = Encoding.UTF8.GetString(write);
            Assert.EndsWith("\n", line, StringComparison.Ordinal);
            Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(detail, line, StringComparison.Ordinal);
            if (format == LogFormat.Json)
            {
                Assert.NotNull(JsonNode.Parse(line)!["MessageTemplate"]);
            }
        }
    }

    [Fact]
    public void AClosedConsole_DoesNotThrowIntoTheCaller()
    {
        var console = new RecordingStream { Broken = true };
        using var logger = KndLogging.CreateLogger(LogFormat.Text, null, _ => null, LogEventLevel.Information, console);

        logger.Information("nobody reads this");

        Assert.Empty(console.Writes);
    }

    private sealed class RecordingStream : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public bool Broken { get; init; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Broken)
            {
                throw new IOException("Broken pipe");
            }

            Writes.Add(buffer.ToArray());
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
