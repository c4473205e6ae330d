using Knd.Commands;

namespace Knd.Tests;

public sealed class CliTests
{
    [Fact]
    public async Task UnknownOptionOnRun_ExitsWithConfigCode()
    {
        var code = await KndCli.RunAsync(["run", "--no-such-option"]);
        Assert.Equal(ExitCodes.Config, code);
    }
}
