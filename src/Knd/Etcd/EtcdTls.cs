using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Knd.Etcd;

/// <summary>TLS towards etcd as etcdctl does it: a CA file to trust (else the system's), an optional client certificate and key (PEM).</summary>
internal static class EtcdTls
{
    /// <summary>The client's TLS settings, or null for plain http. Throws <see cref="EtcdConfigurationException"/> naming the option.</summary>
    public static SslClientAuthenticationOptions? Build(EtcdTlsOptions? tls, bool https)
    {
        if (!https)
        {
            if (tls is { CaFile: not null } or { CertFile: not null } or { KeyFile: not null })
            {
                throw new EtcdConfigurationException("etcd TLS files are given but --etcd-endpoints are http:// URLs: use https://");
            }

            return null;
        }

        var ssl = new SslClientAuthenticationOptions();
        if (tls is { CertFile: not null } != tls is { KeyFile: not null })
        {
            throw new EtcdConfigurationException("--etcd-cert and --etcd-key go together: give both or neither");
        }

        if (tls is { CertFile: { } certFile, KeyFile: { } keyFile })
        {
            ssl.ClientCertificates = [LoadClientCertificate(certFile, keyFile)];
        }

        if (tls?.CaFile is { } caFile)
        {
            var roots = LoadCa(caFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trusted(roots, certificate, chain, errors);
        }

        return ssl;
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // The message names the files only: key material never reaches an error.
            throw new EtcdConfigurationException($"cannot load the etcd client certificate {certFile} with key {keyFile}: {e.GetType().Name}");
        }
    }

    private static X509Certificate2Collection LoadCa(string caFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new EtcdConfigurationException($"cannot load the etcd CA file {caFile} (--etcd-cacert): {e.GetType().Name}");
        }

        if (roots.Count == 0)
        {
            throw new EtcdConfigurationException($"the etcd CA file {caFile} (--etcd-cacert) holds no PEM certificate");
        }

        return roots;
    }

    /// <summary>
    /// The member's certificate must name the host it was reached at and chain to one of the given
    /// CAs (only those: the system store does not count once a CA file is given).
    /// </summary>
    private static bool Trusted(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = certificate is X509Certificate2 full ? new X509Certificate2(full) : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
