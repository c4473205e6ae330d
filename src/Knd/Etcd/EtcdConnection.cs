using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>
/// One gRPC channel to the etcd members (dotnet-etcd's generated stubs over Grpc.Net.Client), with
/// what every call needs: the request timeout, etcd's "require a leader" header, the auth token, and
/// the mapping of every failure onto a <see cref="LockServiceError"/>. Requests go round-robin to the
/// members whose connection is up; a killed member's connection fails and the next request goes to
/// another. There are no automatic retries: knd's loop decides when to try again.
/// </summary>
internal sealed partial class EtcdConnection : IDisposable
{
    /// <summary>
    /// etcd's <c>hasleader</c> metadata: a member cut off from the leader answers "no leader" at once
    /// (and ends a watch) instead of waiting, so the next request can go to a member that has one.
    /// </summary>
    private const string RequireLeaderKey = "hasleader";

    private const string TokenKey = "token";

    private readonly GrpcChannel _channel;
    private readonly EtcdClientOptions _options;
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private string? _token;

    private EtcdConnection(EtcdClientOptions options, GrpcChannel channel)
    {
        _options = options;
        _channel = channel;
        Kv = new KV.KVClient(channel);
        Leases = new Lease.LeaseClient(channel);
        Watches = new Watch.WatchClient(channel);
        AuthApi = new Auth.AuthClient(channel);
        Maintenance = new Etcdserverpb.Maintenance.MaintenanceClient(channel);
    }

    public KV.KVClient Kv { get; }

    public Lease.LeaseClient Leases { get; }

    public Watch.WatchClient Watches { get; }

    public Auth.AuthClient AuthApi { get; }

    public Etcdserverpb.Maintenance.MaintenanceClient Maintenance { get; }

    public EtcdClientOptions Options => _options;

    /// <summary>The endpoints, for messages (URLs carry no secret: etcd takes none in them).</summary>
    public string Describe => string.Join(',', _options.Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    /// <summary>Builds the channel. Throws <see cref="EtcdConfigurationException"/> (one line, naming the option) for bad endpoints or TLS files.</summary>
    public static EtcdConnection Create(EtcdClientOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new EtcdConfigurationException("no etcd endpoint given (--etcd-endpoints)");
        }

        var schemes = options.Endpoints.Select(e => e.Scheme).Distinct(StringComparer.Ordinal).ToList();
        if (schemes.Count != 1 || schemes[0] is not ("http" or "https"))
        {
            throw new EtcdConfigurationException($"--etcd-endpoints must all be http:// or all https:// URLs, got {string.Join(',', options.Endpoints)}");
        }

        if (options.Endpoints.Any(e => e.AbsolutePath is not ("/" or "") || e.UserInfo.Length > 0 || e.Query.Length > 0))
        {
            throw new EtcdConfigurationException("--etcd-endpoints takes scheme://host:port only (no path, user or query)");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new EtcdConfigurationException("the etcd request timeout must be positive");
        }

        var https = schemes[0] == "https";
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.Timings.EtcdKeepAlivePingDelay,
            KeepAlivePingTimeout = options.Timings.EtcdKeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (EtcdTls.Build(options.Tls, https) is { } ssl)
        {
            handler.SslOptions = ssl;
        }

        var addresses = options.Endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToArray();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        var channel = GrpcChannel.ForAddress("static:///etcd", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            Credentials = https ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceProvider = services.BuildServiceProvider(),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
            ThrowOperationCanceledOnCancellation = true,

            InitialReconnectBackoff = options.Timings.EtcdReconnectBackoffMin,
            MaxReconnectBackoff = options.Timings.EtcdReconnectBackoffMax,
        });
        return new EtcdConnection(options, channel);
    }

    /// <summary>One unary request under the request timeout; see <see cref="CallAsync{T}"/>.</summary>
    public Task<LockServiceResult<T>> UnaryAsync<T>(string operation, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken) =>
        CallAsync(
            operation,
            async options =>
            {
                using var pending = call(options);
                return await pending.ResponseAsync;
            },
            cancellationToken);

    /// <summary>
    /// One request (a unary call, or one round trip on a stream) under the request timeout, which also
    /// covers fetching a token. A stale token is fetched again once and the request repeated: etcd
    /// refused it before applying anything. A cancelled <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>; every other failure is the result's error.
    /// </summary>
    public async Task<LockServiceResult<T>> CallAsync<T>(string operation, Func<CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        for (var attempt = 0; ; attempt++)
        {
            string? tokenUsed = null;
            try
            {
                var headers = await HeadersAsync(operation, linked.Token);
                if (!headers.TryGetValue(out var metadata, out var authError))
                {
                    return authError;
                }

                tokenUsed = metadata.GetValue(TokenKey);
                return LockServiceResult<T>.Ok(await call(new CallOptions(metadata, cancellationToken: linked.Token)));
            }
            catch (RpcException e) when (attempt == 0 && tokenUsed is not null && EtcdErrors.IsStaleToken(e) && !linked.IsCancellationRequested)
            {
                ForgetToken(tokenUsed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A call cancelled mid-flight can fail as Internal ("ObjectDisposed") instead of Cancelled;
                // the caller asked for its cancellation, so that is what it gets (a warm-up crashed on it).
                return Failure(operation, e, cancellationToken) ?? throw new OperationCanceledException($"etcd {operation} cancelled", e, cancellationToken);
            }
            catch (OperationCanceledException e) when (Failure(operation, e, cancellationToken) is { } error)
            {
                return error;
            }
        }
    }

    /// <summary>
    /// Turns an exception of a request into its error; null for the caller's own cancellation, which
    /// then propagates. Anything unexpected is a failed request too, never an escaping exception.
    /// </summary>
    public LockServiceError? Failure(string operation, Exception exception, CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            OperationCanceledException => EtcdErrors.Timeout(operation, _options.RequestTimeout),
            RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded } => EtcdErrors.Timeout(operation, _options.RequestTimeout),
            RpcException rpc => EtcdErrors.FromRpc(operation, rpc),
            _ => new LockServiceError(LockServiceFailure.Unavailable, $"etcd {operation} failed inside knd: {exception.GetType().Name}: {exception.Message}"),
        };
    }

    /// <summary>Metadata for a call: <c>hasleader</c>, and the auth token when auth is configured (fetched if none is cached).</summary>
    public async Task<LockServiceResult<Metadata>> HeadersAsync(string operation, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { RequireLeaderKey, "true" } };
        if (_options.Auth is null)
        {
            return LockServiceResult<Metadata>.Ok(headers);
        }

        var token = await TokenAsync(operation, cancellationToken);
        if (!token.TryGetValue(out var tokenValue, out var error))
        {
            return error;
        }

        headers.Add(TokenKey, tokenValue);
        return LockServiceResult<Metadata>.Ok(headers);
    }

    /// <summary>Drops a token etcd no longer takes, unless another request already replaced it.</summary>
    public void ForgetToken(string token) => Interlocked.CompareExchange(ref _token, null, token);

    private async Task<LockServiceResult<string>> TokenAsync(string operation, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _token) is { } cached)
        {
            return LockServiceResult<string>.Ok(cached);
        }

        await _authGate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _token) is { } fetched)
            {
                return LockServiceResult<string>.Ok(fetched);
            }

            var auth = _options.Auth!;
            string password;
            try
            {
                password = File.ReadAllText(auth.PasswordFile).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new LockServiceError(LockServiceFailure.Refused, $"etcd {operation}: cannot read the etcd password file {auth.PasswordFile}: {e.GetType().Name}");
            }

            // Authenticate goes through etcd's Raft log: without a quorum it fails like any write.
            using var call = AuthApi.AuthenticateAsync(new AuthenticateRequest { Name = auth.User, Password = password }, new CallOptions(new Metadata { { RequireLeaderKey, "true" } }, cancellationToken: cancellationToken));
            var answer = await call.ResponseAsync;
            if (string.IsNullOrEmpty(answer.Token))
            {
                return EtcdErrors.Malformed($"{operation} (authenticate)", "no token");
            }

            Volatile.Write(ref _token, answer.Token);
            return LockServiceResult<string>.Ok(answer.Token);
        }
        finally
        {
            _authGate.Release();
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _authGate.Dispose();
    }
}

/// <summary>A bad etcd setting found when the client is built (an unreadable certificate, mixed schemes): one line, for exit 78.</summary>
internal sealed class EtcdConfigurationException(string message) : Exception(message);
