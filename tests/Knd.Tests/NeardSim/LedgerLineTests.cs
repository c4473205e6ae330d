using System.Text;
using NeardSim.Signing;

namespace Knd.Tests.NeardSim;

public sealed class LedgerLineTests
{
    [Fact]
    public void ToUtf8_WritesContractFieldOrderAndMillisecondTime()
    {
        var line = new LedgerLine(1234, "pool.test", "/tmp/home", 42, new DateTimeOffset(2025, 2, 3, 4, 5, 6, 789, TimeSpan.Zero));

        var text = Encoding.UTF8.GetString(line.ToUtf8());

        Assert.Equal(
            "{\"height\":1234,\"account_id\":\"pool.test\",\"home\":\"/tmp/home\",\"pid\":42,\"time\":\"2025-02-03T04:05:06.789Z\"}\n",
            text);
    }

    [Fact]
    public void ToUtf8_QuoteInPath_IsEscapedAndStaysOneLine()
    {
        var line = new LedgerLine(1, "a", "/tmp/we\"ird\nhome", 1, DateTimeOffset.UnixEpoch);

        var text = Encoding.UTF8.GetString(line.ToUtf8());

        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"home\":\"/tmp/we\\\"ird\\nhome\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendAtomically_TwoAppends_BothLinesInOrder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ledger-{Guid.NewGuid():N}.jsonl");
        try
        {
            PosixFile.AppendAtomically(path, "one\n"u8);
            PosixFile.AppendAtomically(path, "two\n"u8);

            Assert.Equal("one\ntwo\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AppendAtomically_MissingDirectory_ThrowsIOException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "ledger.jsonl");

        Assert.Throws<IOException>(() => PosixFile.AppendAtomically(path, "x\n"u8));
    }
}
