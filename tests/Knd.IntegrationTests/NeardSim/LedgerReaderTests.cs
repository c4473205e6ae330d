using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.NeardSim;

public sealed class LedgerReaderTests
{
    private const string A1 = """{"height":1,"account_id":"a","home":"/h1","pid":10,"time":"2025-01-01T00:00:00.100Z"}""";
    private const string A2 = """{"height":2,"account_id":"a","home":"/h1","pid":10,"time":"2025-01-01T00:00:00.200Z"}""";
    private const string A2Again = """{"height":2,"account_id":"a","home":"/h2","pid":11,"time":"2025-01-01T00:00:00.210Z"}""";
    private const string B2 = """{"height":2,"account_id":"b","home":"/h2","pid":11,"time":"2025-01-01T00:00:00.220Z"}""";

    [Fact]
    public void FindDoubleSigns_SameAccountAndHeightTwice_Reported()
    {
        var entries = LedgerReader.Parse(string.Join('\n', A1, A2, B2, A2Again) + "\n");

        var doubleSign = Assert.Single(LedgerReader.FindDoubleSigns(entries));

        Assert.Equal(("a", 2L), (doubleSign.AccountId, doubleSign.Height));
        Assert.Equal([10, 11], doubleSign.Entries.Select(e => e.Pid));
    }

    [Fact]
    public void FindDoubleSigns_SameHeightDifferentAccounts_NotReported()
    {
        Assert.Empty(LedgerReader.FindDoubleSigns(LedgerReader.Parse(A2 + "\n" + B2 + "\n")));
    }

    [Fact]
    public void Parse_LastLineWithoutNewline_IsSkippedAsInFlight()
    {
        var entries = LedgerReader.Parse(A1 + "\n" + A2[..20]);

        Assert.Equal([1L], entries.Select(e => e.Height));
    }

    [Fact]
    public void Parse_MalformedCompleteLine_ThrowsWithLineNumber()
    {
        var error = Assert.Throws<InvalidDataException>(() => LedgerReader.Parse(A1 + "\n{\"height\":\n"));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_IsEmpty()
    {
        Assert.Equal(0, LedgerReader.Read(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.jsonl")).Count);
    }
}
