using Knd.Localnet;

namespace Knd.IntegrationTests.Localnet;

/// <summary>
/// consul-restart with --failsafe: the leader may ride the 2 s outage out (promises, then the lost lock
/// taken back) or fail over; the benchmark's judge passes a ride-through only when it really was one.
/// </summary>
public sealed class RideThroughJudgeTests
{
    private const string Home = "/net/node-2/home";
    private static readonly HashSet<int> LeaderPids = [4242];
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static LedgerEntry Signed(long height, string home = Home, int pid = 4242, string account = LocalnetOptions.Account) => new(height, account, home, pid, At);

    [Fact]
    public void SameLeaderSameNeard_NoOtherSigner_NoMiss_IsARideThrough()
    {
        var note = ChaosBenchmark.RodeThrough([Signed(10), Signed(13)], Home, "node-2", LeaderPids, [("node-2", 4242)], missed: 0);

        Assert.NotNull(note);
    }

    [Fact]
    public void AnotherHomeSigned_IsNotARideThrough()
    {
        Assert.Null(ChaosBenchmark.RodeThrough([Signed(10), Signed(13, home: "/net/node-0/home", pid: 77)], Home, "node-2", LeaderPids, [("node-2", 4242)], missed: 0));
    }

    [Fact]
    public void TheLeaderRestartedItsNeard_IsNotARideThrough()
    {
        Assert.Null(ChaosBenchmark.RodeThrough([Signed(10), Signed(13, pid: 5000)], Home, "node-2", LeaderPids, [("node-2", 5000)], missed: 0));
    }

    [Theory]
    [InlineData(1, "node-2")]
    [InlineData(0, "node-0")]
    public void AMissedDutyOrAnotherLeader_IsNotARideThrough(int missed, string leaderNow)
    {
        Assert.Null(ChaosBenchmark.RodeThrough([Signed(10)], Home, "node-2", LeaderPids, [(leaderNow, 4242)], missed));
    }

    [Fact]
    public void NobodyLeadsNow_IsNotARideThrough()
    {
        Assert.Null(ChaosBenchmark.RodeThrough([Signed(10)], Home, "node-2", LeaderPids, [], missed: 0));
    }

    [Fact]
    public void OnlyConsulRestartWithTheFailsafe_MayRideThrough()
    {
        Assert.True(FaultKind.ConsulRestart.MayRideThrough(failsafe: true));
        Assert.False(FaultKind.ConsulRestart.MayRideThrough(failsafe: false));
        Assert.False(FaultKind.KillLeaderHost.MayRideThrough(failsafe: true));
    }
}
