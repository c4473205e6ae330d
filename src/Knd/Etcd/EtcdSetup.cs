using Knd.Cluster;
using Knd.Configuration;

namespace Knd.Etcd;

/// <summary>The daemon's etcd client from the validated run options.</summary>
internal static class EtcdSetup
{
    /// <summary>Throws <see cref="EtcdConfigurationException"/> (one line naming the option) for a certificate or key that does not load.</summary>
    public static EtcdLockClient CreateClient(KndRunOptions options, FailoverTimings timings, ILogger logger) =>
        new(
            new EtcdClientOptions
            {
                Endpoints = options.EtcdEndpoints,
                RequestTimeout = timings.ConsulRequestTimeout,
                LockDelay = timings.LockDelay,
                Timings = timings,
                Tls = options.EtcdCaFile is null && options.EtcdCertFile is null ? null : new EtcdTlsOptions(options.EtcdCaFile, options.EtcdCertFile, options.EtcdKeyFile),
                Auth = options.EtcdUser is { } user ? new EtcdAuthOptions(user, options.EtcdPasswordFile!) : null,
            },
            new ClusterKeys(options.LockKey),
            logger);
}
