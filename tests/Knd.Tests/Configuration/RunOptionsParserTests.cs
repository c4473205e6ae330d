using System.Net;
using System.Runtime.Versioning;
using Knd.Configuration;
using Knd.Logging;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class RunOptionsParserTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_OnlyNeardHome_AppliesEveryDefault()
    {
        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var o = result.Options;
        Assert.Equal("test-host", o.NodeId);
        Assert.Equal(RunOptionsFixture.Account, o.AccountId);
        Assert.Equal(new Uri("http://127.0.0.1:8500/"), o.ConsulUrl);
        Assert.Null(o.ConsulTokenFile);
        Assert.Equal("kuutamod-leader/", o.LockKeyPrefix);
        Assert.Equal("kuutamod-leader/" + RunOptionsFixture.Account, o.LockKey);
        Assert.Equal(RunOptionDefaults.DefaultSessionTtl, result.Timings.SessionTtl);
        Assert.Equal(RunOptionDefaults.DefaultLockDelay, result.Timings.LockDelay);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:2233"), o.ExporterAddress);
        Assert.Equal(Path.Combine(_f.Home, "knd.sock"), o.ControlSocket);
        Assert.Equal(_f.NeardPath, o.NeardBin);
        Assert.Equal(_f.Home, o.NeardHome);
        Assert.Equal(_f.ValidatorKeyPath, o.ValidatorKey);
        Assert.Equal(_f.ValidatorNodeKeyPath, o.ValidatorNodeKey);
        Assert.Equal(_f.VoterNodeKeyPath, o.VoterNodeKey);
        Assert.Equal(IPEndPoint.Parse("0.0.0.0:24567"), o.ValidatorNetworkAddr);
        Assert.Equal(IPEndPoint.Parse("0.0.0.0:24568"), o.VoterNetworkAddr);
        Assert.Empty(o.PublicAddresses);
        Assert.Null(o.NeardBootnodes);
        Assert.Equal(PromotionMode.Restart, o.Promotion);
        Assert.Null(o.LogDir);
        Assert.Equal(LogFormat.Text, o.LogFormat);
        Assert.Empty(result.Warnings);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Timings.NeardStallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Timings.NeardStopTimeout);
        Assert.Null(result.Timings.Check());
    }

    [Fact]
    public void Parse_EveryOptionAsFlag_IsTakenAsGiven()
    {
        var token = Path.Combine(_f.Root, "token");
        RunOptionsFixture.WriteFile(token, "secret-token\n");
        var logs = Directory.CreateDirectory(Path.Combine(_f.Root, "logs")).FullName;
        _f.Set("node-id", "host-a");
        _f.Set("account-id", RunOptionsFixture.Account);
        _f.Set("consul-url", "https://consul.internal:8501/prefix");
        _f.Set("consul-token-file", token);
        _f.Set("lock-key-prefix", "knd/leader/");
        _f.Set("session-ttl", "30s");
        _f.Set("lock-delay", "0s");
        _f.Set("exporter-address", "[::1]:0");
        _f.Set("control-socket", Path.Combine(_f.Root, "c.sock"));
        _f.Set("neard-bin", _f.NeardPath);
        _f.Set("validator-network-addr", "10.0.0.1:3000");
        _f.Set("voter-network-addr", "10.0.0.1:3001");
        _f.Set("public-address", "1.2.3.4,5.6.7.8", "2001:db8::1");
        _f.Set("neard-bootnodes", "ed25519:abc@1.2.3.4:24567");
        _f.Set("promotion", "hot-swap");
        _f.Set("neard-stop-timeout", "3s");
        _f.Set("neard-stall-timeout", "1m");
        _f.Set("log-dir", logs);
        _f.Set("log-format", "json");

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var o = result.Options;
        Assert.Equal("host-a", o.NodeId);
        Assert.Equal(new Uri("https://consul.internal:8501/prefix/"), o.ConsulUrl);
        Assert.Equal(token, o.ConsulTokenFile);
        Assert.Equal("knd/leader/", o.LockKeyPrefix);
        Assert.Equal(TimeSpan.Zero, result.Timings.LockDelay);
        Assert.Equal(IPEndPoint.Parse("[::1]:0"), o.ExporterAddress);
        Assert.Equal(Path.Combine(_f.Root, "c.sock"), o.ControlSocket);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:3000"), o.ValidatorNetworkAddr);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:3001"), o.VoterNetworkAddr);
        Assert.Equal(new[] { "1.2.3.4", "5.6.7.8", "2001:db8::1" }, o.PublicAddresses.Select(a => a.ToString()));
        Assert.Equal("ed25519:abc@1.2.3.4:24567", o.NeardBootnodes);
        Assert.Equal(PromotionMode.HotSwap, o.Promotion);
        Assert.Equal(logs, o.LogDir);
        Assert.Equal(LogFormat.Json, o.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Timings.NeardStopTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), result.Timings.NeardStallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Timings.SessionTtl);
    }

    [Theory]
    [InlineData("session-ttl", "10", "--session-ttl: malformed duration \"10\": a unit is required")]
    [InlineData("session-ttl", "ten", "--session-ttl: malformed duration \"ten\"")]
    [InlineData("session-ttl", "-5s", "--session-ttl: \"-5s\" is negative")]
    [InlineData("session-ttl", "0s", "--session-ttl: \"0s\" is not allowed: a session without a TTL never expires")]
    [InlineData("session-ttl", "25h", "--session-ttl: \"25h\" is above Consul's maximum session TTL of 24h")]
    [InlineData("lock-delay", "61s", "--lock-delay: \"61s\" is above Consul's maximum lock delay")]
    [InlineData("lock-delay", "5", "--lock-delay: malformed duration \"5\"")]
    [InlineData("neard-stop-timeout", "0s", "--neard-stop-timeout: \"0s\" is not allowed; it must be above 0")]
    [InlineData("neard-stall-timeout", "0", "--neard-stall-timeout: \"0\" is not allowed")]
    [InlineData("consul-url", "not a url", "--consul-url: malformed URL \"not a url\"")]
    [InlineData("consul-url", "localhost:8500", "--consul-url: malformed URL")]
    [InlineData("consul-url", "ftp://127.0.0.1:8500", "--consul-url: malformed URL")]
    [InlineData("consul-url", "http://127.0.0.1:8500/?dc=x", "no query or fragment")]
    [InlineData("exporter-address", "localhost:2233", "--exporter-address: bad listen address \"localhost:2233\": \"localhost\" is a host name")]
    [InlineData("exporter-address", "127.0.0.1", "--exporter-address: bad listen address \"127.0.0.1\": missing :PORT")]
    [InlineData("exporter-address", "1.2.3.4:99999", "--exporter-address: bad listen address \"1.2.3.4:99999\": port \"99999\"")]
    [InlineData("validator-network-addr", "0.0.0.0:0", "--validator-network-addr: bad listen address \"0.0.0.0:0\": port 0 is not allowed")]
    [InlineData("voter-network-addr", "example.org:24568", "--voter-network-addr: bad listen address")]
    [InlineData("promotion", "swap", "--promotion: \"swap\" is not one of: restart, hot-swap")]
    [InlineData("promotion", "Restart", "--promotion: \"Restart\" is not one of")]
    [InlineData("log-format", "xml", "--log-format: \"xml\" is not one of: text, json")]
    [InlineData("node-id", "", "--node-id: \"\" must be non-empty")]
    [InlineData("node-id", "two words", "--node-id: \"two words\" must be non-empty, without spaces")]
    [InlineData("node-id", "a\nb", "--node-id: \"a\\u000ab\" must be non-empty")]
    [InlineData("lock-key-prefix", "kuutamod-leader", "--lock-key-prefix: \"kuutamod-leader\" must end with '/'")]
    [InlineData("lock-key-prefix", "/leader/", "must not start with '/'")]
    [InlineData("lock-key-prefix", "lead er/", "may contain only letters")]
    [InlineData("public-address", "1.2.3.4,,5.6.7.8", "--public-address: empty entry")]
    [InlineData("public-address", "host.example", "--public-address: \"host.example\" is a host name")]
    [InlineData("public-address", "0.0.0.0", "is not a public address")]
    [InlineData("public-address", "1.2.3.4,1.2.3.4", "\"1.2.3.4\" is listed twice")]
    [InlineData("neard-bootnodes", "a, b", "--neard-bootnodes: \"a, b\" must be a non-empty comma-separated list")]
    [InlineData("account-id", "Not_Valid!", "--account-id: \"Not_Valid!\" is not a valid NEAR account id")]
    public void Parse_BadValue_FailsNamingOptionAndProblem(string option, string value, string expected)
    {
        _f.Set(option, value);

        var error = _f.ParseError();

        Assert.StartsWith("--" + option + ":", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConsulUrlWithPassword_NeverQuotesIt()
    {
        _f.Set("consul-url", "http://user:hunter2pw@127.0.0.1:8500");

        var error = _f.ParseError();

        Assert.StartsWith("--consul-url: the URL must not contain user:password@", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2pw", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SessionTtlBelowConsulDefaultMinimum_IsAcceptedWithWarning()
    {
        _f.Set("session-ttl", "5s");

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(TimeSpan.FromSeconds(5), result.Timings.SessionTtl);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("--session-ttl: 5s is below Consul's default session_ttl_min (10s)", warning, StringComparison.Ordinal);
        Assert.Equal(result.Warnings, result.Options.Warnings);
    }

    [Fact]
    public void Parse_SessionTtlBelowConsulDefaultMinimumOnEtcd_HasNoConsulWarning()
    {
        _f.Set("session-ttl", "3s");
        _f.Set("dcs", "etcd");

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(TimeSpan.FromSeconds(3), result.Timings.SessionTtl);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("session_ttl_min", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("24h")]
    [InlineData("10s")]
    [InlineData("1m")]
    public void Parse_SessionTtlWithinConsulBounds_IsAcceptedWithoutWarning(string ttl)
    {
        _f.Set("session-ttl", ttl);

        var result = _f.Parse();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Parse_LockDelayAtConsulCap_IsAccepted()
    {
        _f.Set("lock-delay", "60s");

        Assert.Equal(TimeSpan.FromSeconds(60), _f.ParseValidTimings().LockDelay);
    }

    [Fact]
    public void Parse_ConsulTokenFileMissing_Fails()
    {
        _f.Set("consul-token-file", Path.Combine(_f.Root, "nope"));

        Assert.Contains("--consul-token-file: \"" + Path.Combine(_f.Root, "nope") + "\" does not exist", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConsulTokenFileEmpty_FailsWithoutContent()
    {
        var token = Path.Combine(_f.Root, "token");
        RunOptionsFixture.WriteFile(token, " \n");
        _f.Set("consul-token-file", token);

        Assert.EndsWith("is empty; it must hold the Consul ACL token", _f.ParseError(), StringComparison.Ordinal);
    }
}
