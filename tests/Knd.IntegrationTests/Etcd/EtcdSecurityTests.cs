using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Knd.Cluster;
using Knd.Etcd;
using Knd.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static Knd.IntegrationTests.Etcd.EtcdFixture;
using Knd.Testing;

namespace Knd.IntegrationTests.Etcd;

/// <summary>TLS with client certificates, and etcd's users, against a real etcd: as etcdctl users set them up.</summary>
public sealed class EtcdSecurityTests
{
    [Fact]
    public async Task Tls_WithClientCertificate_TakesTheLock_WithoutIt_EtcdRefuses()
    {
        using var dir = new TempDirectory("knd-etcd-tls-");
        var pki = TestPki.Write(dir.Path);
        await using var etcd = await EtcdCluster.StartAsync(1, https: true,
        [
            "--cert-file", pki.ServerCert, "--key-file", pki.ServerKey,
            "--client-cert-auth", "--trusted-ca-file", pki.Ca,
        ]);
        var key = NewLockKey();
        using var client = TlsClient(etcd, key, new EtcdTlsOptions(pki.Ca, pki.ClientCert, pki.ClientKey));

        var lease = await Eventually.UntilAsync<EtcdLease>(async () => (await client.GrantAsync(TimeSpan.FromSeconds(10), default)).Value, TimeSpan.FromSeconds(60), () => etcd.Tail());
        Assert.Equal(LockAcquireOutcome.Acquired, (await client.AcquireAsync(lease.SessionId, Value("node-a"), default)).Value);

        using var noCert = TlsClient(etcd, key, new EtcdTlsOptions(pki.Ca, null, null));
        var refused = await noCert.GrantAsync(TimeSpan.FromSeconds(10), default);
        Assert.NotNull(refused.Error);

        using var wrongCa = TlsClient(etcd, key, new EtcdTlsOptions(pki.OtherCa, pki.ClientCert, pki.ClientKey));
        Assert.NotNull((await wrongCa.GrantAsync(TimeSpan.FromSeconds(10), default)).Error);
    }

    [Fact]
    public void Tls_UnloadableFiles_AreAConfigurationErrorNamingTheOption_NeverTheKey()
    {
        using var dir = new TempDirectory("knd-etcd-tls-");
        var pki = TestPki.Write(dir.Path);
        var garbage = dir.Combine("garbage.pem");
        File.WriteAllText(garbage, "not a certificate");

        var badCa = Assert.Throws<EtcdConfigurationException>(() => TlsClient(null, NewLockKey(), new EtcdTlsOptions(garbage, null, null)));
        Assert.Contains("--etcd-cacert", badCa.Message, StringComparison.Ordinal);

        var badPair = Assert.Throws<EtcdConfigurationException>(() => TlsClient(null, NewLockKey(), new EtcdTlsOptions(pki.Ca, pki.ClientCert, pki.ServerKey)));
        Assert.Contains(pki.ClientCert, badPair.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", badPair.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_UserWithPasswordFile_TakesTheLock_AWrongPasswordIsRefused_AndNeverShown()
    {
        await using var etcd = await EtcdCluster.StartAsync(1);
        var member = etcd.Members[0];
        using var dir = new TempDirectory("knd-etcd-auth-");
        const string RootPassword = "root-Pw-7f3a";
        const string KndPassword = "knd-Pw-Secret-91c2";
        foreach (var command in new[]
        {
            new[] { "user", "add", "root", "--new-user-password", RootPassword },
            ["role", "add", "knd"],
            ["role", "grant-permission", "knd", "--prefix=true", "readwrite", "kuutamod-leader/"],
            ["user", "add", "knd", "--new-user-password", KndPassword],
            ["user", "grant-role", "knd", "knd"],
            ["auth", "enable"],
        })
        {
            var run = await etcd.EtcdctlAsync(member, command);
            Assert.True(run.ExitCode == 0, $"etcdctl {string.Join(' ', command)}: {run.Stdout}\n{etcd.Tail()}");
        }

        var passwordFile = dir.Combine("password");
        File.WriteAllText(passwordFile, KndPassword + "\n");
        var key = NewLockKey();
        using var client = AuthClient(etcd, key, new EtcdAuthOptions("knd", passwordFile));
        var lease = (await client.GrantAsync(TimeSpan.FromSeconds(10), default)).Succeeded();
        Assert.Equal(LockAcquireOutcome.Acquired, (await client.AcquireAsync(lease.SessionId, Value("node-a"), default)).Value);

        var wrongFile = dir.Combine("wrong");
        File.WriteAllText(wrongFile, "wrong-Pw-0000\n");
        using var wrong = AuthClient(etcd, key, new EtcdAuthOptions("knd", wrongFile));
        var refused = await wrong.GrantAsync(TimeSpan.FromSeconds(10), default);
        Assert.Equal(LockServiceFailure.Refused, refused.Error?.Kind);
        Assert.DoesNotContain("wrong-Pw", refused.Failed().Message, StringComparison.Ordinal);

        // Outside the role's prefix: the user may not write there.
        using var elsewhere = AuthClient(etcd, "other-prefix/x", new EtcdAuthOptions("knd", passwordFile));
        var outside = await elsewhere.AcquireAsync(lease.SessionId, Value("node-a"), default);
        Assert.Equal(LockServiceFailure.Refused, outside.Error?.Kind);
        Assert.DoesNotContain(KndPassword, outside.Failed().Message, StringComparison.Ordinal);
    }

    private static EtcdLockClient TlsClient(EtcdCluster? etcd, string lockKey, EtcdTlsOptions tls) =>
        new(
            new EtcdClientOptions
            {
                Endpoints = etcd is null ? [new Uri("https://127.0.0.1:2379")] : [.. etcd.Members.Select(m => new Uri(m.ClientUrl))],
                RequestTimeout = TimeSpan.FromSeconds(3),
                Tls = tls,
            },
            new ClusterKeys(lockKey),
            NullLogger.Instance);

    private static EtcdLockClient AuthClient(EtcdCluster etcd, string lockKey, EtcdAuthOptions auth) =>
        new(
            new EtcdClientOptions
            {
                Endpoints = [.. etcd.Members.Select(m => new Uri(m.ClientUrl))],
                RequestTimeout = TimeSpan.FromSeconds(3),
                Auth = auth,
            },
            new ClusterKeys(lockKey),
            NullLogger.Instance);

    /// <summary>A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files; and another CA that signed nothing here.</summary>
    private sealed record TestPki(string Ca, string OtherCa, string ServerCert, string ServerKey, string ClientCert, string ClientKey)
    {
        public static TestPki Write(string dir)
        {
            var now = TimeProvider.System.GetUtcNow();
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var ca = CreateCa("knd test CA", caKey, now);
            using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var other = CreateCa("another CA", otherKey, now);
            var paths = new TestPki(
                Path.Combine(dir, "ca.pem"), Path.Combine(dir, "other-ca.pem"),
                Path.Combine(dir, "server.pem"), Path.Combine(dir, "server-key.pem"),
                Path.Combine(dir, "client.pem"), Path.Combine(dir, "client-key.pem"));
            File.WriteAllText(paths.Ca, ca.ExportCertificatePem());
            File.WriteAllText(paths.OtherCa, other.ExportCertificatePem());
            Issue(ca, "127.0.0.1", server: true, paths.ServerCert, paths.ServerKey, now);
            Issue(ca, "knd", server: false, paths.ClientCert, paths.ClientKey, now);
            return paths;
        }

        private static X509Certificate2 CreateCa(string name, ECDsa key, DateTimeOffset now)
        {
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        }

        private static void Issue(X509Certificate2 ca, string name, bool server, string certPath, string keyPath, DateTimeOffset now)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            if (server)
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(IPAddress.Loopback);
                san.AddDnsName("localhost");
                request.CertificateExtensions.Add(san.Build());
            }

            using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
            File.WriteAllText(certPath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        }
    }
}
