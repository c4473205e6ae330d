using Knd.Control;

namespace Knd.Tests.Control;

/// <summary>kuutamod's <c>maintenance_status</c> sentences from knd's maintenance status.</summary>
public sealed class KuutamodStatusTests
{
    [Fact]
    public void Nothing_IsKuutamodsSentence() =>
        Assert.Equal("no maintenance setting now", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(null, null, 1000, null, null, "no maintenance scheduled")));

    [Fact]
    public void Shutdown_AtAHeight_CountsTheBlocksLeft() =>
        Assert.Equal("maintenance shutdown in 20 blocks, current: 1000, shutdown at: 1020", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(MaintenanceKind.Shutdown, 1020, 1000, null, null, string.Empty)));

    [Fact]
    public void Restart_KeepsKuutamodsTwoSpaces() =>
        Assert.Equal("maintenance restart in 20 blocks,  current: 1000, restart at: 1020", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(MaintenanceKind.Restart, 1020, 1000, null, null, string.Empty)));

    [Fact]
    public void HeadPastTheHeight_IsZeroBlocks_NotAnUnderflow() =>
        Assert.Equal("maintenance shutdown in 0 blocks, current: 1025, shutdown at: 1020", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(MaintenanceKind.Shutdown, 1020, 1025, null, null, string.Empty)));

    [Fact]
    public void HeadUnknown_SaysWhereOnly() =>
        Assert.Equal("maintenance restart will be at 1020", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(MaintenanceKind.Restart, 1020, null, null, null, string.Empty)));

    [Fact]
    public void ActingNow_SaysSet() =>
        Assert.Equal("maintenance shutdown set, current: 1000", KuutamodEndpoints.DescribeStatus(new MaintenanceStatus(MaintenanceKind.Shutdown, null, 1000, null, null, string.Empty)));
}
