namespace Knd.Consul;

/// <summary>Settings of <see cref="ConsulClient"/>.</summary>
internal sealed class ConsulClientOptions
{
    /// <summary>For clients built without the daemon's timings (tests); the daemon passes <see cref="FailoverTimings.ConsulRequestTimeout"/>.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The local agent, e.g. <c>http://127.0.0.1:8500</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>
    /// Bound on every request. A blocking read waits at most <c>wait + wait/16 + RequestTimeout</c>,
    /// covering Consul's random stagger of up to wait/16.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>
    /// The ACL token, read on every request so a token file re-read on SIGHUP takes effect at once.
    /// Returns null or empty for no token.
    /// </summary>
    public Func<string?> TokenProvider { get; init; } = static () => null;

    /// <summary>Sent as <c>X-Knd-Node</c>, so knd dev-consul can tell clients apart for fault injection.</summary>
    public string? ClientNodeId { get; init; }

    /// <summary>
    /// Called once per HTTP request with the operation (<see cref="ConsulOperations"/>) and the
    /// outcome: <c>ok</c> or the snake_case <see cref="ConsulErrorKind"/> (<see cref="ConsulOperations.Outcome"/>).
    /// For metrics; must not throw.
    /// </summary>
    public Action<string, string>? RequestObserver { get; init; }
}
