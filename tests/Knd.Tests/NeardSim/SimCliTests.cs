using NeardSim.Cli;

namespace Knd.Tests.NeardSim;

public sealed class SimCliTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("--home /h run", "/h", null)]
    [InlineData("--home=/h run --boot-nodes ed25519:K@1.2.3.4:24567", "/h", "ed25519:K@1.2.3.4:24567")]
    [InlineData("--home /h run --boot-nodes=a,b", "/h", "a,b")]
    public void Parse_NeardForms_Run(string commandLine, string home, string? bootNodes)
    {
        Assert.Equal(new SimArguments(CliAction.Run, home, bootNodes), SimCli.Parse(commandLine.Split(' '), NoEnvironment));
    }

    [Theory]
    [InlineData("--home /h run --rpc-addr 127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("--home /h run --boot-nodes a --rpc-addr=[::1]:3030", "[::1]:3030")]
    public void Parse_RpcAddr_OverridesConfig(string commandLine, string rpcAddr)
    {
        var parsed = SimCli.Parse(commandLine.Split(' '), NoEnvironment);

        Assert.Equal((CliAction.Run, rpcAddr), (parsed.Action, parsed.RpcAddr));
    }

    [Theory]
    [InlineData("--home /h run --rpc-addr nonsense")]
    [InlineData("--home /h run --rpc-addr")]
    [InlineData("--rpc-addr 127.0.0.1:0 run")]
    public void Parse_RpcAddrBadOrMisplaced_Error(string commandLine)
    {
        var parsed = SimCli.Parse(commandLine.Split(' '), NoEnvironment);

        Assert.Equal(CliAction.Error, parsed.Action);
        Assert.Contains("rpc-addr", parsed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--home /h run", null)]
    [InlineData("--home /h run --catch-up-after-swap 0", 0)]
    [InlineData("--home /h run --catch-up-after-swap=12 --rpc-addr 127.0.0.1:0", 12)]
    public void Parse_CatchUpAfterSwap_Blocks(string commandLine, int? blocks)
    {
        Assert.Equal(blocks, SimCli.Parse(commandLine.Split(' '), NoEnvironment).CatchUpAfterSwapBlocks);
    }

    [Theory]
    [InlineData("--home /h run --catch-up-after-swap -1")]
    [InlineData("--home /h run --catch-up-after-swap 5s")]
    [InlineData("--home /h run --catch-up-after-swap")]
    [InlineData("--catch-up-after-swap 3 run")]
    public void Parse_CatchUpAfterSwapBadOrMisplaced_Error(string commandLine)
    {
        var parsed = SimCli.Parse(commandLine.Split(' '), NoEnvironment);

        Assert.Equal(CliAction.Error, parsed.Action);
        Assert.Contains("catch-up-after-swap", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoHome_UsesNearHomeThenDotNear()
    {
        Assert.Equal("/env/home", SimCli.Parse(["run"], n => n == "NEAR_HOME" ? "/env/home" : null).Home);
        Assert.Equal("/users/x/.near", SimCli.Parse(["run"], n => n == "HOME" ? "/users/x" : null).Home);
    }

    [Theory]
    [InlineData("run --home /h")]
    [InlineData("--home /h")]
    [InlineData("--home")]
    [InlineData("--boot-nodes x run")]
    [InlineData("--home /h run --archive")]
    [InlineData("init")]
    public void Parse_NotNeardForm_Error(string commandLine)
    {
        var parsed = SimCli.Parse(commandLine.Split(' '), NoEnvironment);

        Assert.Equal(CliAction.Error, parsed.Action);
        Assert.False(string.IsNullOrEmpty(parsed.Error));
    }

    [Fact]
    public void Parse_Version_WinsOverEverythingElse() =>
        Assert.Equal(CliAction.Version, SimCli.Parse(["--version"], NoEnvironment).Action);
}
