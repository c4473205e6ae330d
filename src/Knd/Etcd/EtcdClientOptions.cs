namespace Knd.Etcd;

/// <summary>Settings of <see cref="EtcdLockClient"/>. Holds file paths, never a secret itself.</summary>
internal sealed class EtcdClientOptions
{
    /// <summary>For clients built without the daemon's timings (tests); the daemon passes <see cref="FailoverTimings.ConsulRequestTimeout"/>.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The etcd members' client URLs, all <c>http://</c> or all <c>https://</c> (etcd's <c>--endpoints</c>).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>Bound on every request (a keep-alive round trip, a transaction, a read), so a hung member cannot eat the fence budget.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>
    /// knd's emulation of Consul's lock-delay: after the lock key was deleted by a lease expiry or revoke
    /// (not by a release), this client refuses to take it for this long from when it first saw the deletion.
    /// </summary>
    public TimeSpan LockDelay { get; init; }

    /// <summary>CA, client certificate and key (PEM files), as etcdctl's <c>--cacert</c>, <c>--cert</c>, <c>--key</c>.</summary>
    public EtcdTlsOptions? Tls { get; init; }

    /// <summary>etcd's user/password authentication; the password is read from a file when a token is needed.</summary>
    public EtcdAuthOptions? Auth { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The watch's retry pause, the keep-alive pings and the reconnect backoff
    /// (<see cref="FailoverTimings.WatchRetryInterval"/>, <see cref="FailoverTimings.EtcdKeepAlivePingDelay"/> and the others named Etcd…).
    /// </summary>
    public FailoverTimings Timings { get; init; } = FailoverTimings.Defaults;
}

/// <summary>
/// TLS towards etcd. <paramref name="CaFile"/>: the CA that signed the members' certificates (null: the
/// system's trust store); <paramref name="CertFile"/> and <paramref name="KeyFile"/>: this client's
/// certificate and key for etcd's <c>--client-cert-auth</c> (both or neither).
/// </summary>
internal sealed record EtcdTlsOptions(string? CaFile, string? CertFile, string? KeyFile);

/// <summary>
/// etcd's own authentication: <paramref name="User"/> and the file holding its password (trailing
/// newline trimmed). The file is read each time a token must be fetched, so a rotated password needs no
/// restart; neither the password nor the token ever reaches a log, a metric or an error message.
/// </summary>
internal sealed record EtcdAuthOptions(string User, string PasswordFile);
