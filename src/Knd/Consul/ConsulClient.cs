using System.Text.Json;
using Knd.Logging;

namespace Knd.Consul;

/// <summary>
/// A typed client for the subset of Consul's HTTP API knd uses (stands in for Consul.NET, which the
/// package registry does not serve). Every call has a timeout and returns a <see cref="ConsulResult{T}"/>;
/// every answer is validated (<see cref="ConsulAnswers"/>), and nothing but the caller's own
/// cancellation ever comes out of it as an exception.
/// </summary>
internal sealed partial class ConsulClient : IConsulClient
{
    private readonly ConsulClientOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ConsulClient> _logger;
    private readonly FailureLogLimiter _failures;
    private readonly string _baseUri;
    private readonly string _authority;
    private CancellationTokenSource _reconnected = new();
    private bool _unreachableSinceAnswer;

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
        _failures = new FailureLogLimiter(timeProvider);
        _baseUri = options.BaseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _authority = options.BaseAddress.GetLeftPart(UriPartial.Authority);
    }

    /// <inheritdoc />
    public CancellationToken Reconnected => Volatile.Read(ref _reconnected).Token;

    /// <summary>An <see cref="HttpClient"/> with no overall timeout and a bounded connect time.</summary>
    public static HttpClient CreateHttpClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // Connection housekeeping, not a knd timing: a re-resolved agent address is used within minutes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public Task<ConsulResult<string>> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.SessionCreate, cancellationToken, async () =>
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
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<string>(Op, error);
            }

            if (!response.IsSuccess)
            {
                return Fail<string>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            if (!TryParse(response.Body, ConsulJsonContext.Default.SessionCreatedWire, out var created) || string.IsNullOrEmpty(created!.Id))
            {
                return Fail<string>(Op, ConsulErrors.Malformed(response.Status, "a session create answer without an ID"));
            }

            return Succeed(Op, created.Id);
        });

    public Task<ConsulResult<SessionEntry>> RenewSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.SessionRenew, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.SessionRenew;
            var sent = await SendAsync(Op, HttpMethod.Put, "/v1/session/renew/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<SessionEntry>(Op, error);
            }

            if (response.Status == 404)
            {
                return Fail<SessionEntry>(Op, SessionNotFound(sessionId, Text(response.Body)));
            }

            if (!response.IsSuccess)
            {
                return Fail<SessionEntry>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            var read = ReadSessions(response, "renew");
            if (read.Error is { } malformed)
            {
                return Fail<SessionEntry>(Op, malformed);
            }

            var sessions = read.Sessions!;
            if (sessions.Count == 0)
            {
                return Fail<SessionEntry>(Op, SessionNotFound(sessionId, "empty session array"));
            }

            // Renew answers with the renewed session; any other would mean the answer is not ours.
            return sessions[0].Id == sessionId
                ? Succeed(Op, sessions[0])
                : Fail<SessionEntry>(Op, ConsulErrors.Malformed(response.Status, $"a renew answer for session {sessions[0].Id}, not {sessionId}"));
        });

    public Task<ConsulResult<bool>> DestroySessionAsync(string sessionId, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.SessionDestroy, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.SessionDestroy;
            var sent = await SendAsync(Op, HttpMethod.Put, "/v1/session/destroy/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
            return BoolAnswer(Op, sent);
        });

    public Task<ConsulResult<SessionEntry?>> GetSessionInfoAsync(string sessionId, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.SessionInfo, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.SessionInfo;
            var sent = await SendAsync(Op, HttpMethod.Get, "/v1/session/info/" + Uri.EscapeDataString(sessionId), null, _options.RequestTimeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<SessionEntry?>(Op, error);
            }

            if (!response.IsSuccess)
            {
                return Fail<SessionEntry?>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            var read = ReadSessions(response, "session info");
            if ((read.Error ?? IndexError(response, 0)) is { } malformed)
            {
                return Fail<SessionEntry?>(Op, malformed);
            }

            if (read.Sessions!.FirstOrDefault() is { } found && found.Id != sessionId)
            {
                return Fail<SessionEntry?>(Op, ConsulErrors.Malformed(response.Status, $"a session info answer for session {found.Id}, not {sessionId}"));
            }

            return Succeed(Op, read.Sessions!.FirstOrDefault());
        });

    public Task<ConsulResult<SessionListResult>> ListSessionsAsync(string? node, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.SessionList, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.SessionList;
            var path = node is null ? "/v1/session/list" : "/v1/session/node/" + Uri.EscapeDataString(node);
            var sent = await SendAsync(Op, HttpMethod.Get, path, null, _options.RequestTimeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<SessionListResult>(Op, error);
            }

            if (!response.IsSuccess)
            {
                return Fail<SessionListResult>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            var read = ReadSessions(response, "session list");
            if ((read.Error ?? IndexError(response, 0)) is { } malformed)
            {
                return Fail<SessionListResult>(Op, malformed);
            }

            if (node is not null && read.Sessions!.FirstOrDefault(s => s.Node != node) is { } stranger)
            {
                return Fail<SessionListResult>(Op, ConsulErrors.Malformed(response.Status, $"a session list of node {node} holding a session of node {stranger.Node}"));
            }

            return Succeed(Op, new SessionListResult(read.Sessions!, response.Index!.Value));
        });

    public Task<ConsulResult<string>> GetLeaderAsync(CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.StatusLeader, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.StatusLeader;
            var sent = await SendAsync(Op, HttpMethod.Get, "/v1/status/leader", null, _options.RequestTimeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<string>(Op, error);
            }

            if (!response.IsSuccess)
            {
                return Fail<string>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            return TryParse(response.Body, ConsulJsonContext.Default.String, out var leader)
                ? Succeed(Op, leader!)
                : Fail<string>(Op, ConsulErrors.Malformed(response.Status, "a leader answer that is not a JSON string"));
        });

    public Task<ConsulResult<AgentSelf>> GetAgentSelfAsync(CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.AgentSelf, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.AgentSelf;
            var sent = await SendAsync(Op, HttpMethod.Get, "/v1/agent/self", null, _options.RequestTimeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<AgentSelf>(Op, error);
            }

            if (!response.IsSuccess)
            {
                return Fail<AgentSelf>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            if (!TryParse(response.Body, ConsulJsonContext.Default.AgentSelfWire, out var self) || self!.Config?.NodeName is not { Length: > 0 } nodeName)
            {
                return Fail<AgentSelf>(Op, ConsulErrors.Malformed(response.Status, "an agent/self answer without Config.NodeName"));
            }

            return Succeed(Op, new AgentSelf(nodeName, self.Config.Datacenter ?? string.Empty, self.Config.Version ?? string.Empty));
        });

    private ConsulResult<bool> BoolAnswer(string operation, ConsulResult<RawResponse> sent)
    {
        if (!sent.TryGetValue(out var response, out var error))
        {
            return Fail<bool>(operation, error);
        }

        if (!response.IsSuccess)
        {
            return Fail<bool>(operation, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        return TryParseValue(response.Body, ConsulJsonContext.Default.Boolean, out var value)
            ? Succeed(operation, value)
            : Fail<bool>(operation, ConsulErrors.Malformed(response.Status, "an answer that is not true or false"));
    }

    /// <summary>A session array, every element a whole session, or the reason it is not one.</summary>
    private static (IReadOnlyList<SessionEntry>? Sessions, ConsulError? Error) ReadSessions(RawResponse response, string what)
    {
        if (!TryParse(response.Body, ConsulJsonContext.Default.ListSessionWire, out var wires))
        {
            return (null, ConsulErrors.Malformed(response.Status, $"a {what} answer that is not a session array"));
        }

        var sessions = new List<SessionEntry>(wires!.Count);
        foreach (var wire in wires)
        {
            if (ConsulAnswers.Session(wire) is not { } session)
            {
                return (null, ConsulErrors.Malformed(response.Status, $"a {what} answer with {ConsulAnswers.DescribeBadSession(wire)}"));
            }

            sessions.Add(session);
        }

        return (sessions, null);
    }

    private static ConsulError SessionNotFound(string sessionId, string body) =>
        new(ConsulErrorKind.SessionNotFound, 404, $"Consul has no session {sessionId} (404): {ConsulErrors.Trim(body)}");
}
