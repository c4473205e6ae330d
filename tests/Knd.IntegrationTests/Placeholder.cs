namespace Knd.IntegrationTests;

public sealed class BinaryLayoutTests
{
    [Fact]
    public void KndAndNeardSimBinaries_AreNextToTheTests()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "knd")));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "neard-sim")));
    }
}
