using System.Net;
using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

/// <summary>The peer channel's options (issue 14): flag, KND_* variable and config file; one line naming the option on error.</summary>
[SupportedOSPlatform("linux")]
public sealed class PeerOptionsTests : IDisposable
{
    private const string SecretText = "9d2c7e41b0a84f6e9d2c7e41b0a84f6e9d2c7e41b0a84f6e9d2c7e41b0a84f6e";
    private readonly RunOptionsFixture _f = new();

    public PeerOptionsTests() => SecretFile = Path.Combine(_f.Root, "cluster_secret");

    private string SecretFile { get; }

    public void Dispose() => _f.Dispose();

    private void WithChannel()
    {
        RunOptionsFixture.WriteFile(SecretFile, SecretText + "\n");
        _f.Set("peer-address", "127.0.0.1:0");
        _f.Set("cluster-secret-file", SecretFile);
    }

    [Fact]
    public void Defaults_NoChannel_BothModesOff()
    {
        var o = _f.ParseValid();

        Assert.Null(o.PeerAddress);
        Assert.Null(o.ClusterSecretFile);
        Assert.False(o.Peers.FastFailover);
        Assert.False(o.Peers.Failsafe);
        Assert.Equal(TimeSpan.FromSeconds(5), _f.ParseValidTimings().LockDelay);
    }

    [Fact]
    public void Flags_TurnOnBothModes_AndFastFailoverTakesItsLockDelay()
    {
        WithChannel();
        _f.Set("fast-failover", "true");
        _f.Set("failsafe", "true");
        _f.Set("leader-silence", "1500ms");

        var o = _f.ParseValid();
        var timings = _f.ParseValidTimings();

        Assert.Equal(IPEndPoint.Parse("127.0.0.1:0"), o.PeerAddress);
        Assert.Equal(SecretFile, o.ClusterSecretFile);
        Assert.True(o.Peers.FastFailover);
        Assert.True(o.Peers.Failsafe);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.Peers.LeaderSilence);
        Assert.True(timings.FastFailover);
        Assert.Equal(timings.FastFailoverLockDelay, timings.LockDelay);
        Assert.True(timings.LockDelay >= timings.FenceBound + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Failsafe_AtAShortTtl_WarnsThatThePromisesMayComeTooLate()
    {
        WithChannel();
        _f.Set("failsafe", "true");
        _f.Set("session-ttl", "3s");

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var warning = Assert.Single(result.Warnings, w => w.StartsWith("--failsafe:", StringComparison.Ordinal));
        Assert.Contains("has 300 ms to collect every member's promise", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s", false)]
    [InlineData("10s", true)]
    [InlineData("6s", false)]
    public void Failsafe_AtTheDefaultOrAModerateTtl_DoesNotWarn(string ttl, bool fastFailover)
    {
        WithChannel();
        _f.Set("failsafe", "true");
        _f.Set("session-ttl", ttl);
        _f.Set("fast-failover", fastFailover ? "true" : "false");

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.DoesNotContain(result.Warnings, w => w.StartsWith("--failsafe:", StringComparison.Ordinal));
    }

    [Fact]
    public void EnvironmentAndConfigFile_SetTheSameOptions()
    {
        RunOptionsFixture.WriteFile(SecretFile, SecretText);
        _f.Env["KND_PEER_ADDRESS"] = "127.0.0.1:7001";
        _f.Env["KND_CLUSTER_SECRET_FILE"] = SecretFile;
        _f.Env["KND_FAILSAFE"] = "yes";
        _f.WriteConfig("{\"fast-failover\": true, \"leader-silence\": \"3s\"}");

        var o = _f.ParseValid();

        Assert.Equal(IPEndPoint.Parse("127.0.0.1:7001"), o.PeerAddress);
        Assert.True(o.Peers.Failsafe);
        Assert.True(o.Peers.FastFailover);
        Assert.Equal(TimeSpan.FromSeconds(3), o.Peers.LeaderSilence);
    }

    [Fact]
    public void FastFailover_ExplicitLockDelayBelowTheFenceBound_NamesLockDelay()
    {
        WithChannel();
        _f.Set("fast-failover", "true");
        _f.Set("lock-delay", "5s");

        var error = _f.ParseError();

        Assert.StartsWith("--lock-delay:", error, StringComparison.Ordinal);
        Assert.Contains("fence bound", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast-failover", "true", "--fast-failover: needs the peer channel")]
    [InlineData("failsafe", "true", "--failsafe: needs the peer channel")]
    [InlineData("failsafe", "maybe", "--failsafe: \"maybe\" is not true or false")]
    [InlineData("peer-address", "127.0.0.1:7001", "--peer-address: needs --cluster-secret-file")]
    [InlineData("peer-address", "localhost:7001", "--peer-address:")]
    [InlineData("peer-advertise-address", "10.0.0.1:7001", "--peer-advertise-address: needs --peer-address")]
    [InlineData("leader-silence", "500ms", "--leader-silence: \"500ms\" must be at least 1s")]
    [InlineData("leader-silence", "10s", "--leader-silence: \"10s\" must be at least 1s (four heartbeats) and below --session-ttl")]
    public void BadPeerOption_OneLineNamingIt(string option, string value, string expected)
    {
        _f.Set(option, value);

        Assert.StartsWith(expected, _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretFileReadableByOthers_NamesTheOption_NeverTheSecret()
    {
        RunOptionsFixture.WriteFile(SecretFile, SecretText, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        _f.Set("peer-address", "127.0.0.1:0");
        _f.Set("cluster-secret-file", SecretFile);

        var error = _f.ParseError();

        Assert.StartsWith("--cluster-secret-file:", error, StringComparison.Ordinal);
        Assert.Contains("group or others", error, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretText, error, StringComparison.Ordinal);
    }

    [Fact]
    public void WildcardListen_WithoutAdvertiseAddress_IsRefused()
    {
        WithChannel();
        _f.Set("peer-address", "0.0.0.0:7001");

        Assert.StartsWith("--peer-address: 0.0.0.0:7001 listens on every address", _f.ParseError(), StringComparison.Ordinal);

        _f.Set("peer-advertise-address", "10.0.0.7:7001");
        Assert.Equal(IPEndPoint.Parse("10.0.0.7:7001"), _f.ParseValid().PeerAdvertiseAddress);
    }

    [Fact]
    public void PeerAddressOnTheExporterPort_IsRefused()
    {
        WithChannel();
        _f.Set("peer-address", "127.0.0.1:2233");

        Assert.StartsWith("--peer-address: 127.0.0.1:2233 clashes with --exporter-address", _f.ParseError(), StringComparison.Ordinal);
    }
}
