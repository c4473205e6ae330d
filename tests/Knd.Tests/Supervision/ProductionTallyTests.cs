namespace Knd.Tests.Supervision;

/// <summary>KIRA's ranking (sekai x/slashing) on duty heights: tolerance, mischance, streak, rank.</summary>
public sealed class ProductionTallyTests
{
    private static readonly ProductionRules Rules = new() { MischanceConfidence = 3, MaxMischance = 5, RankDecrease = 10 };

    [Fact]
    public void Misses_FillTheToleranceFirst_ThenCountAsMischance()
    {
        var tally = new ProductionTally(Rules);

        tally.Observe(produced: 0, missed: 3);
        Assert.Equal((3, 0), (tally.Confidence, tally.Mischance));

        tally.Observe(produced: 0, missed: 2);
        Assert.Equal((3, 2), (tally.Confidence, tally.Mischance));
        Assert.Equal(5, tally.Missed);
    }

    [Fact]
    public void OverMax_OnlyPastMaxMischance()
    {
        var tally = new ProductionTally(Rules);

        tally.Observe(0, Rules.MischanceConfidence + Rules.MaxMischance);
        Assert.False(tally.OverMax);

        tally.Observe(0, 1);
        Assert.True(tally.OverMax);
    }

    [Fact]
    public void OneProducedDuty_ClearsMischanceAndConfidence()
    {
        var tally = new ProductionTally(Rules);
        tally.Observe(0, 20);

        tally.Observe(1, 0);

        Assert.Equal((0, 0), (tally.Confidence, tally.Mischance));
        Assert.False(tally.OverMax);
    }

    [Fact]
    public void ProducedAndMissedInOneLook_TheProducedDutyWins()
    {
        var tally = new ProductionTally(Rules);
        tally.Observe(0, 8);

        tally.Observe(produced: 1, missed: 4);

        Assert.Equal(0, tally.Mischance);
        Assert.Equal(12, tally.Missed);
    }

    [Fact]
    public void Streak_CountsProducedInARow_RankKeepsTheBest_AndFallsWithMischance()
    {
        var tally = new ProductionTally(Rules);
        tally.Observe(25, 0);
        Assert.Equal((25, 25), (tally.Streak, tally.Rank));

        // Tolerated misses keep the streak; misses past the tolerance end it and cost rank.
        tally.Observe(0, 3);
        Assert.Equal((25, 25), (tally.Streak, tally.Rank));
        tally.Observe(0, 2);
        Assert.Equal((0, 5), (tally.Streak, tally.Rank));

        tally.Observe(4, 0);
        Assert.Equal((4, 5), (tally.Streak, tally.Rank));
        tally.Observe(0, 9);
        Assert.Equal(0, tally.Rank);
    }

    [Theory]
    [InlineData(0, 10, "--mischance-confidence")]
    [InlineData(3, 0, "--max-mischance")]
    public void Rules_RefuseValuesThatWouldJudgeASingleMiss(int confidence, int max, string option) =>
        Assert.Contains(option, new ProductionRules { MischanceConfidence = confidence, MaxMischance = max }.Check(), StringComparison.Ordinal);
}
