using System.Text.Json;

namespace Knd.Consul;

/// <summary>
/// A typed client for the subset of Consul's HTTP API knd uses (stands in for Consul.NET, which the
/// package registry does not serve). Every call has a timeout and returns a <see cref="ConsulResult{T}"/>.
/// </summary>
internal sealed partial class ConsulClient : IConsulClient
{
    private readonly ConsulClientOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ConsulClient> _logger;
    private readonly string _baseUri;
    private readonly string _authority;

    /// <remarks>
    /// <paramref name="httpClient"/> should have an infinite <see cref="HttpClient.Timeout"/>: the client sets
    /// its own per-request timeouts, and blocking reads last minutes. <see cref="CreateHttpClient"/> makes one.
    /// </remarks>
    public ConsulClient(ConsulClientOptions options, HttpClient httpClient, TimeProvider timeProvider, ILogger<ConsulClient> logger)
    {
        _options = options;
        _http = httpClient;
        _timeProvider = timeProvider;
        _logger = logger;
        _baseUri = options.BaseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _authority = options.BaseAddress.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>An <see cref="HttpClient"/> with no overall timeout and a bounded connect time.</summary>
    public static HttpClient CreateHttpClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<ConsulResult<string>> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.SessionCreate;
        var wire = new SessionCreateWire
        {
            Name = request.Name,
            Node = request.Node,
            LockDelay = GoDuration.ToWire(request.LockDelay),
            Behavior = request.Behavior,
            Ttl = request.Ttl > TimeSpan.Zero ? GoDuration.ToWire(request.Ttl) : null,
            NodeChecks = request.NodeChecks,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(wire, ConsulJsonContext.Default.SessionCreateWire);
        var sent = await SendAsync(Op, HttpMethod.Put, "/v1/session/create", body, _options.RequestTimeout, cancellationToken);
        if (sent.Error is { } error)
        {
            return Fail<string>(Op, error);
        }

        var response = sent.Value!;
        if (!response.IsSuccess)
        {
            return Fail<string>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        if (!TryParse(response.Body, ConsulJsonContext.Default.SessionCreatedWire, out var created) || string.IsNullOrEmpty(created!.Id))
        {
            return Fail<string>(Op, ConsulErrors.Malformed(response.Status, "a session create answer without an ID"));
        }

        return Succeed(Op, created.Id);
    }

    public async Task<ConsulResult<SessionEntry>> RenewSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.SessionRenew;
        var sent = await SendAsync(Op, HttpMethod.Put, "/v1/session/renew/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
        if (sent.Error is { } error)
        {
            return Fail<SessionEntry>(Op, error);
        }

        var response = sent.Value!;
        if (response.Status == 404)
        {
            return Fail<SessionEntry>(Op, SessionNotFound(sessionId, Text(response.Body)));
        }

        if (!response.IsSuccess)
        {
            return Fail<SessionEntry>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        if (!TryParse(response.Body, ConsulJsonContext.Default.ListSessionWire, out var sessions))
        {
            return Fail<SessionEntry>(Op, ConsulErrors.Malformed(response.Status, "a renew answer that is not a session array"));
        }

        return sessions!.Count == 0
            ? Fail<SessionEntry>(Op, SessionNotFound(sessionId, "empty session array"))
            : Succeed(Op, ToEntry(sessions[0]));
    }

    public async Task<ConsulResult<bool>> DestroySessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.SessionDestroy;
        var sent = await SendAsync(Op, HttpMethod.Put, "/v1/session/destroy/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
        return BoolAnswer(Op, sent);
    }

    public async Task<ConsulResult<SessionEntry?>> GetSessionInfoAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.SessionInfo;
        var sent = await SendAsync(Op, HttpMethod.Get, "/v1/session/info/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
        if (sent.Error is { } error)
        {
            return Fail<SessionEntry?>(Op, error);
        }

        var response = sent.Value!;
        if (!response.IsSuccess)
        {
            return Fail<SessionEntry?>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        if (!TryParse(response.Body, ConsulJsonContext.Default.ListSessionWire, out var sessions))
        {
            return Fail<SessionEntry?>(Op, ConsulErrors.Malformed(response.Status, "a session info answer that is not a session array"));
        }

        return Succeed<SessionEntry?>(Op, sessions!.Count == 0 ? null : ToEntry(sessions[0]));
    }

    public async Task<ConsulResult<string>> GetLeaderAsync(CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.StatusLeader;
        var sent = await SendAsync(Op, HttpMethod.Get, "/v1/status/leader", null, _options.RequestTimeout, cancellationToken);
        if (sent.Error is { } error)
        {
            return Fail<string>(Op, error);
        }

        var response = sent.Value!;
        if (!response.IsSuccess)
        {
            return Fail<string>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        return TryParse(response.Body, ConsulJsonContext.Default.String, out var leader)
            ? Succeed(Op, leader!)
            : Fail<string>(Op, ConsulErrors.Malformed(response.Status, "a leader answer that is not a JSON string"));
    }

    public async Task<ConsulResult<AgentSelf>> GetAgentSelfAsync(CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.AgentSelf;
        var sent = await SendAsync(Op, HttpMethod.Get, "/v1/agent/self", null, _options.RequestTimeout, cancellationToken);
        if (sent.Error is { } error)
        {
            return Fail<AgentSelf>(Op, error);
        }

        var response = sent.Value!;
        if (!response.IsSuccess)
        {
            return Fail<AgentSelf>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        if (!TryParse(response.Body, ConsulJsonContext.Default.AgentSelfWire, out var self) || self!.Config?.NodeName is not { Length: > 0 } nodeName)
        {
            return Fail<AgentSelf>(Op, ConsulErrors.Malformed(response.Status, "an agent/self answer without Config.NodeName"));
        }

        return Succeed(Op, new AgentSelf(nodeName, self.Config.Datacenter ?? string.Empty, self.Config.Version ?? string.Empty));
    }

    private ConsulResult<bool> BoolAnswer(string operation, ConsulResult<RawResponse> sent)
    {
        if (sent.Error is { } error)
        {
            return Fail<bool>(operation, error);
        }

        var response = sent.Value!;
        if (!response.IsSuccess)
        {
            return Fail<bool>(operation, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        try
        {
            return Succeed(operation, JsonSerializer.Deserialize(response.Body, ConsulJsonContext.Default.Boolean));
        }
        catch (JsonException)
        {
            return Fail<bool>(operation, ConsulErrors.Malformed(response.Status, "an answer that is not true or false"));
        }
    }

    private static ConsulError SessionNotFound(string sessionId, string body) =>
        new(ConsulErrorKind.SessionNotFound, 404, $"Consul has no session {sessionId} (404): {ConsulErrors.Trim(body)}");

    private static SessionEntry ToEntry(SessionWire wire) => new(
        wire.Id ?? string.Empty,
        wire.Name ?? string.Empty,
        wire.Node ?? string.Empty,
        GoDuration.ToTimeSpan(wire.LockDelay),
        wire.Behavior ?? string.Empty,
        wire.Ttl ?? string.Empty,
        wire.NodeChecks ?? [],
        wire.CreateIndex,
        wire.ModifyIndex);
}
