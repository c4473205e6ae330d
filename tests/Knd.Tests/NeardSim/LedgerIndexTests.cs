using System.Text;
using NeardSim.Signing;

namespace Knd.Tests.NeardSim;

public sealed class LedgerIndexTests : IDisposable
{
    private const long EpochLength = 40;
    private readonly SimTestHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Refresh_ReadsOnlyWhatWasAppended()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        _home.AppendLedger("a.test", 0, 7);
        index.Refresh(0);
        var consumed = index.Offset;

        _home.AppendLedger("a.test", 12);
        index.Refresh(0);

        Assert.Equal(new FileInfo(_home.LedgerPath).Length, index.Offset);
        Assert.True(index.Offset > consumed);
        Assert.Equal(3, index.Signed("a.test", 0)!.Count(0, 39));
    }

    [Fact]
    public void Refresh_SameHeightFromTwoProcesses_IsOneBlock()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        File.AppendAllLines(_home.LedgerPath, [SimTestHome.LedgerLineJson(7, "a.test", pid: 1), SimTestHome.LedgerLineJson(7, "a.test", pid: 2)]);

        index.Refresh(0);

        Assert.Equal(1, index.Signed("a.test", 0)!.Count(0, 39));
    }

    [Fact]
    public void Refresh_PartialLastLine_IsReadOnceComplete()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        var line = SimTestHome.LedgerLineJson(12, "a.test");
        File.WriteAllText(_home.LedgerPath, line[..20]);
        index.Refresh(0);
        Assert.Null(index.Signed("a.test", 0));
        Assert.Equal(0, index.Offset);

        File.AppendAllText(_home.LedgerPath, line[20..] + "\n");
        index.Refresh(0);

        Assert.True(index.Signed("a.test", 0)![12]);
    }

    [Fact]
    public void Refresh_MalformedAndOverlongLines_AreSkippedAndReadingGoesOn()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        var garbage = new string('x', 200_000);
        File.WriteAllText(_home.LedgerPath, $"not json\n{garbage}\n{SimTestHome.LedgerLineJson(7, "a.test")}\n{{\"height\":-3,\"account_id\":\"a.test\"}}\n");

        index.Refresh(0);

        Assert.Equal(1, index.Signed("a.test", 0)!.Count(0, 39));
        Assert.Equal(new FileInfo(_home.LedgerPath).Length, index.Offset);
    }

    [Fact]
    public void Refresh_LedgerReplacedByALongerOne_StartsOver()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        _home.AppendLedger("a.test", 0);
        index.Refresh(0);

        File.Delete(_home.LedgerPath);
        _home.AppendLedger("b.test", 1, 3, 8);
        index.Refresh(0);

        Assert.Null(index.Signed("a.test", 0));
        Assert.Equal(3, index.Signed("b.test", 0)!.Count(0, 39));
    }

    [Fact]
    public void Refresh_LedgerTruncated_StartsOver()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        _home.AppendLedger("a.test", 0, 7, 12);
        index.Refresh(0);

        File.WriteAllText(_home.LedgerPath, "");
        index.Refresh(0);

        Assert.Null(index.Signed("a.test", 0));
        Assert.Equal(0, index.Offset);
    }

    [Fact]
    public void Refresh_MissingLedger_KeepsWhatWasRead()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        index.Refresh(0);
        Assert.Null(index.Signed("a.test", 0));
        _home.AppendLedger("a.test", 7);
        index.Refresh(0);

        File.Delete(_home.LedgerPath);
        index.Refresh(0);

        Assert.True(index.Signed("a.test", 0)![7]);
    }

    [Fact]
    public void Refresh_HeadMovesOn_ForgetsEpochsOlderThanTheSixKept()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        _home.AppendLedger("a.test", 7, 47, 87);
        index.Refresh(2);
        Assert.NotNull(index.Signed("a.test", 0));

        // Head in epoch 6: epochs 1..6 are kept (5 of blocks + 1 for the oldest one's kickouts).
        index.Refresh(6);

        Assert.Null(index.Signed("a.test", 0));
        Assert.True(index.Signed("a.test", 1)![7]);
        Assert.True(index.Signed("a.test", 2)![7]);
    }

    [Fact]
    public void Refresh_LinesOfForgottenEpochs_AreNotIndexed()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        _home.AppendLedger("a.test", 7, 407);

        index.Refresh(10);

        Assert.Null(index.Signed("a.test", 0));
        Assert.True(index.Signed("a.test", 10)![7]);
    }

    [Fact]
    public void Refresh_BigLedger_ReadInChunks()
    {
        var index = new LedgerIndex(_home.LedgerPath, EpochLength);
        var text = new StringBuilder();
        for (long h = 0; h < 40_000; h++)
        {
            text.Append(SimTestHome.LedgerLineJson(h, "a.test")).Append('\n');
        }

        File.WriteAllText(_home.LedgerPath, text.ToString());

        index.Refresh(999);

        Assert.Equal(40, index.Signed("a.test", 999)!.Count(0, 39));
        Assert.Null(index.Signed("a.test", 993));
        Assert.Equal(new FileInfo(_home.LedgerPath).Length, index.Offset);
    }
}
