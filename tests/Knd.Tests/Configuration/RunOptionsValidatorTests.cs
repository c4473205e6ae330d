using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class RunOptionsValidatorTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_StopTimeoutBreakingFenceBound_FailsOnStopTimeout()
    {
        _f.Set("neard-stop-timeout", "5s");

        var error = _f.ParseError();

        Assert.StartsWith("--neard-stop-timeout: the fence bound", error, StringComparison.Ordinal);
        Assert.Contains("must be below --session-ttl (10000ms)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StopTimeoutWithinFenceBound_IsAccepted()
    {
        _f.Set("session-ttl", "30s");
        _f.Set("neard-stop-timeout", "5s");

        Assert.True(_f.Parse().IsSuccess);
    }

    [Fact]
    public void Parse_StallTimeoutNotAbovePollInterval_Fails()
    {
        _f.Set("neard-stall-timeout", "500ms");

        Assert.StartsWith("--neard-stall-timeout: 500ms must be longer than the neard poll interval", _f.ParseError(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validator-key", "validator_key.json")]
    [InlineData("validator-node-key", "node_key.json")]
    [InlineData("voter-node-key", "node_key.json")]
    public void Parse_KeyInsideManagedHomeFile_Fails(string option, string fileName)
    {
        var path = Path.Combine(_f.Home, fileName);
        RunOptionsFixture.WriteKey(path, RunOptionsFixture.Account, "ed25519:Managed" + option);
        _f.Set(option, path);

        Assert.StartsWith($"--{option}: \"{path}\" is a file knd replaces in the neard home", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VoterNodeKeySameAsValidatorNodeKey_Fails()
    {
        _f.Set("voter-node-key", _f.ValidatorNodeKeyPath);

        Assert.StartsWith("--voter-node-key: has the same public key as --validator-node-key", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ValidatorNodeKeySameFileAsValidatorKey_Fails()
    {
        _f.Set("validator-node-key", _f.ValidatorKeyPath);

        Assert.StartsWith("--validator-node-key: is the same file as --validator-key", _f.ParseError(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:24567")]
    [InlineData("0.0.0.0:24568")]
    public void Parse_ExporterOnNeardNetworkPort_Fails(string exporter)
    {
        _f.Set("exporter-address", exporter);

        Assert.Contains("clashes with --", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExporterSamePortOtherAddress_IsAccepted()
    {
        _f.Set("exporter-address", "127.0.0.1:24567");
        _f.Set("validator-network-addr", "10.0.0.1:24567");

        Assert.True(_f.Parse().IsSuccess);
    }
}
