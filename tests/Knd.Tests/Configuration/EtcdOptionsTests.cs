using System.Runtime.Versioning;
using Knd.Configuration;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class EtcdOptionsTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_Default_IsConsul_WithNoEtcdSettings()
    {
        var o = _f.ParseValid();

        Assert.Equal(LockServiceKind.Consul, o.Dcs);
        Assert.Empty(o.EtcdEndpoints);
    }

    [Fact]
    public void Parse_DcsEtcd_DefaultsToTheLocalMember()
    {
        _f.Set("dcs", "etcd");

        var o = _f.ParseValid();

        Assert.Equal(LockServiceKind.Etcd, o.Dcs);
        Assert.Equal([new Uri("http://127.0.0.1:2379")], o.EtcdEndpoints);
    }

    [Fact]
    public void Parse_EtcdWithTlsAndAuth_TakesEveryFile()
    {
        var ca = File(_f, "ca.pem", "-----BEGIN CERTIFICATE-----\n");
        var cert = File(_f, "client.pem", "-----BEGIN CERTIFICATE-----\n");
        var key = File(_f, "client-key.pem", RunOptionsFixture.Secret);
        var password = File(_f, "password", RunOptionsFixture.Secret + "\n");
        _f.Set("dcs", "etcd");
        _f.Set("etcd-endpoints", "https://10.0.0.1:2379,https://10.0.0.2:2379", "https://[fd00::3]:2379");
        _f.Set("etcd-cacert", ca);
        _f.Set("etcd-cert", cert);
        _f.Set("etcd-key", key);
        _f.Set("etcd-user", "knd");
        _f.Set("etcd-password-file", password);

        var o = _f.ParseValid();

        Assert.Equal(3, o.EtcdEndpoints.Count);
        Assert.Equal((ca, cert, key, "knd", password), (o.EtcdCaFile, o.EtcdCertFile, o.EtcdKeyFile, o.EtcdUser, o.EtcdPasswordFile));
    }

    [Theory]
    [InlineData("dcs", "zookeeper", "--dcs: \"zookeeper\" is not one of: consul, etcd")]
    [InlineData("etcd-endpoints", "10.0.0.1:2379", "--etcd-endpoints: malformed URL")]
    [InlineData("etcd-endpoints", "http://10.0.0.1", "has no port")]
    [InlineData("etcd-endpoints", "http://10.0.0.1:2379/v3", "no path, query or fragment")]
    [InlineData("etcd-endpoints", "http://10.0.0.1:2379,https://10.0.0.2:2379", "mixes http:// and https://")]
    [InlineData("etcd-endpoints", "http://10.0.0.1:2379,,http://10.0.0.2:2379", "empty entry")]
    [InlineData("etcd-endpoints", "http://10.0.0.1:2379,http://10.0.0.1:2379", "is listed twice")]
    [InlineData("etcd-user", "a b", "must be non-empty, without spaces")]
    public void Parse_BadEtcdValue_FailsNamingTheOption(string option, string value, string expected)
    {
        if (option != "dcs")
        {
            _f.Set("dcs", "etcd");
        }

        _f.Set(option, value);

        var error = _f.ParseError();

        Assert.StartsWith("--" + option + ":", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EtcdOptionWithoutDcsEtcd_IsRefused()
    {
        _f.Set("etcd-endpoints", "http://10.0.0.1:2379");

        Assert.StartsWith("--etcd-endpoints: is an etcd option; it needs --dcs etcd", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PeerChannelWithDcsEtcd_IsRefused_SinceItsPromisesAskConsul()
    {
        _f.Set("dcs", "etcd");
        _f.Set("peer-address", "127.0.0.1:0");
        _f.Set("cluster-secret-file", File(_f, "cluster_secret", new string('s', 48)));
        _f.Set("failsafe", "true");

        Assert.StartsWith("--failsafe:", _f.ParseError(), StringComparison.Ordinal);
        Assert.Contains("--dcs consul only", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EndpointWithPassword_NeverQuotesIt()
    {
        _f.Set("dcs", "etcd");
        _f.Set("etcd-endpoints", "https://root:hunter2pw@10.0.0.1:2379");

        var error = _f.ParseError();

        Assert.StartsWith("--etcd-endpoints: a URL must not contain user:password@", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2pw", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TlsFilesWithHttpEndpoints_AreRefused()
    {
        _f.Set("dcs", "etcd");
        _f.Set("etcd-cacert", File(_f, "ca.pem", "x"));

        Assert.StartsWith("--etcd-cacert: needs https://", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CertWithoutKey_AndUserWithoutPassword_AreRefused()
    {
        _f.Set("dcs", "etcd");
        _f.Set("etcd-endpoints", "https://10.0.0.1:2379");
        _f.Set("etcd-cert", File(_f, "client.pem", "x"));
        Assert.Contains("--etcd-cert and --etcd-key go together", _f.ParseError(), StringComparison.Ordinal);

        _f.Flags.Remove("etcd-cert");
        _f.Set("etcd-user", "knd");
        Assert.StartsWith("--etcd-user: --etcd-user and --etcd-password-file go together", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyOrMissingPasswordFile_IsRefused_WithoutItsContent()
    {
        _f.Set("dcs", "etcd");
        _f.Set("etcd-user", "knd");
        _f.Set("etcd-password-file", Path.Combine(_f.Root, "nope"));
        Assert.Contains("does not exist", _f.ParseError(), StringComparison.Ordinal);

        _f.Set("etcd-password-file", File(_f, "empty", "\n"));
        Assert.EndsWith("is empty", _f.ParseError(), StringComparison.Ordinal);

        _f.Set("etcd-password-file", File(_f, "password", RunOptionsFixture.Secret));
        _f.Set("etcd-endpoints", "bad");
        Assert.DoesNotContain(RunOptionsFixture.Secret, _f.ParseError(), StringComparison.Ordinal);
    }

    private static string File(RunOptionsFixture f, string name, string content)
    {
        var path = Path.Combine(f.Root, name);
        RunOptionsFixture.WriteFile(path, content);
        return path;
    }
}
