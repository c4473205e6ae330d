using System.Security.Cryptography;
using System.Text;
using static Knd.Configuration.RunOptionCatalog;

namespace Knd.Configuration;

/// <summary>The coordination service: <c>--dcs</c> and the etcd options.</summary>
internal sealed partial class RunOptionsParser
{
    private sealed record EtcdSettings(IReadOnlyList<Uri> Endpoints, string? CaFile, string? CertFile, string? KeyFile, string? User, string? PasswordFile);

    private LockServiceKind ParseDcs() =>
        ParseChoice(Dcs, LockServiceKind.Consul, ("consul", LockServiceKind.Consul), ("etcd", LockServiceKind.Etcd));

    private EtcdSettings ParseEtcd(LockServiceKind dcs)
    {
        RunOptionSpec[] etcdOnly = [EtcdEndpoints, EtcdCaCert, EtcdCert, EtcdKey, EtcdUser, EtcdPasswordFile];
        if (dcs != LockServiceKind.Etcd)
        {
            foreach (var spec in etcdOnly)
            {
                if (Find(spec) is { } given)
                {
                    throw Fail(given, "is an etcd option; it needs --dcs etcd");
                }
            }

            return new EtcdSettings([], null, null, null, null, null);
        }

        var endpoints = ParseEtcdEndpoints();
        var https = endpoints[0].Scheme == "https";
        var ca = ParseEtcdFile(EtcdCaCert, secret: false);
        var cert = ParseEtcdFile(EtcdCert, secret: false);
        var key = ParseEtcdFile(EtcdKey, secret: true);
        foreach (var (spec, path) in new[] { (EtcdCaCert, ca), (EtcdCert, cert), (EtcdKey, key) })
        {
            if (path is not null && !https)
            {
                throw Fail(Find(spec)!, $"needs https:// --etcd-endpoints (the endpoints are http://)");
            }
        }

        if ((cert is null) != (key is null))
        {
            var given = Find(cert is null ? EtcdKey : EtcdCert)!;
            throw Fail(given, "--etcd-cert and --etcd-key go together: give both or neither");
        }

        var user = FindSingle(EtcdUser);
        var password = ParseEtcdFile(EtcdPasswordFile, secret: true);
        if (user is { } u && (u.Text.Length == 0 || ValueText.HasWhitespaceOrControl(u.Text)))
        {
            throw Fail(u, $"{ValueText.Quote(u.Text)} must be non-empty, without spaces or control characters");
        }

        if ((user is null) != (password is null))
        {
            var given = user ?? Find(EtcdPasswordFile)!;
            throw Fail(given, "--etcd-user and --etcd-password-file go together: give both or neither");
        }

        return new EtcdSettings(endpoints, ca, cert, key, user?.Text, password);
    }

    private List<Uri> ParseEtcdEndpoints()
    {
        var value = Find(EtcdEndpoints) ?? DefaultValue(EtcdEndpoints, RunOptionDefaults.EtcdEndpoints);
        var endpoints = new List<Uri>();
        foreach (var entry in value.Values.SelectMany(v => v.Split(',')).Select(e => e.Trim()))
        {
            if (entry.Length == 0)
            {
                throw Fail(value, "empty entry; give URLs separated by commas, e.g. https://10.0.0.1:2379,https://10.0.0.2:2379");
            }

            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw Fail(value, $"malformed URL {ValueText.Quote(entry)}: expected http://HOST:PORT or https://HOST:PORT");
            }

            if (uri.UserInfo.Length > 0)
            {
                // Do not echo the value: it holds a credential.
                throw Fail(value, "a URL must not contain user:password@; give --etcd-user and --etcd-password-file");
            }

            if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                throw Fail(value, $"{ValueText.Quote(entry)}: scheme://host:port only, no path, query or fragment");
            }

            if (!HasExplicitPort(entry))
            {
                throw Fail(value, $"{ValueText.Quote(entry)} has no port; etcd's client port is usually 2379");
            }

            if (endpoints.Any(e => e.Authority == uri.Authority))
            {
                throw Fail(value, $"{ValueText.Quote(entry)} is listed twice");
            }

            endpoints.Add(uri);
        }

        if (endpoints.Select(e => e.Scheme).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw Fail(value, "mixes http:// and https:// URLs; all members are reached the same way");
        }

        return endpoints;
    }

    private static bool HasExplicitPort(string url)
    {
        var authority = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        var closing = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        return colon > closing && colon < authority.Length - 1;
    }

    /// <summary>A file knd reads later: it must be a readable regular file now. A secret's content is only checked for emptiness, never kept or printed.</summary>
    private string? ParseEtcdFile(RunOptionSpec spec, bool secret)
    {
        if (FindSingle(spec) is not { } value)
        {
            return null;
        }

        var path = FullPath(value);
        var kind = FileProbe.Kind(path);
        if (kind != FileKind.Regular)
        {
            throw Fail(value, $"{ValueText.Quote(path)} {FileProbe.Describe(kind)}");
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(value, $"{ValueText.Quote(path)} cannot be read: {(ex is UnauthorizedAccessException ? "permission denied" : ex.Message)}");
        }

        var empty = Encoding.UTF8.GetString(content).Trim().Length == 0;
        if (secret)
        {
            CryptographicOperations.ZeroMemory(content);
        }

        return empty ? throw Fail(value, $"{ValueText.Quote(path)} is empty") : path;
    }
}
