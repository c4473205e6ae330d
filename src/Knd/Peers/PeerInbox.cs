using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Knd.Logging;

namespace Knd.Peers;

/// <summary>
/// The member side of the peer channel: authenticates each request (a refused one gets 401 and
/// changes nothing), turns a leader's heartbeat into a <see cref="LeaderHeartbeatEvent"/>, and a
/// promise request into a <see cref="PromiseRequestedEvent"/> after asking Consul whether it answers
/// here; the machine's <see cref="AnswerPromiseAction"/> then becomes the signed HTTP answer.
/// </summary>
internal sealed class PeerInbox
{
    private readonly PeerAuth _auth;
    private readonly PeerRules _rules;
    private readonly Action<SupervisorEvent> _post;
    private readonly Func<CancellationToken, Task<bool>> _lockServiceReachable;
    private readonly Action<PeerRejection> _rejected;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly FailureLogLimiter _rejections;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AnswerPromiseAction>> _pending = new();
    private readonly HashSet<string> _notDestroyable = new(StringComparer.Ordinal);
    private long _nextRequestId;

    public PeerInbox(
        PeerAuth auth,
        PeerRules rules,
        Action<SupervisorEvent> post,
        Func<CancellationToken, Task<bool>> lockServiceReachable,
        Action<PeerRejection> rejected,
        TimeProvider time,
        ILogger logger)
    {
        _auth = auth;
        _rules = rules;
        _post = post;
        _lockServiceReachable = lockServiceReachable;
        _rejected = rejected;
        _logger = logger;
        _time = time;
        _rejections = new FailureLogLimiter(time);
    }

    /// <summary>The machine's answer to a promise request: completes the HTTP request waiting for it (if it still waits).</summary>
    public void Answer(AnswerPromiseAction answer)
    {
        if (_pending.TryRemove(answer.RequestId, out var waiting))
        {
            waiting.TrySetResult(answer);
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if (!HttpMethods.IsPost(request.Method) || path is not (PeerWire.HeartbeatPath or PeerWire.PromisePath))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (await ReadBodyAsync(request, context.RequestAborted) is not { } body)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var headers = new PeerRequestHeaders(
            Header(request, PeerWire.FromHeader),
            Header(request, PeerWire.ToHeader),
            Header(request, PeerWire.TimestampHeader),
            Header(request, PeerWire.NonceHeader),
            Header(request, PeerWire.SignatureHeader));
        var rejection = _auth.VerifyRequest(request.Method, path, headers, body);
        if (rejection != PeerRejection.None)
        {
            Reject(context, path, rejection);
            return;
        }

        if (path == PeerWire.HeartbeatPath)
        {
            await HeartbeatAsync(context, headers, body);
        }
        else
        {
            await PromiseAsync(context, headers, body);
        }
    }

    private async Task HeartbeatAsync(HttpContext context, PeerRequestHeaders headers, byte[] body)
    {
        if (Parse(body, PeerJsonContext.Default.HeartbeatRequest) is not { SessionId.Length: > 0, RenewAgeMs: >= 0 } heartbeat)
        {
            await RespondAsync(context, headers, StatusCodes.Status400BadRequest, new HeartbeatAnswer(false), PeerJsonContext.Default.HeartbeatAnswer);
            return;
        }

        // Destroying a leader's session is safe only when its own lock-delay outlasts its own fence
        // (docs/failover-algorithm.md, inequality (3)): a leader configured otherwise is left to its TTL.
        var margin = (long)_rules.FastFailoverMargin.TotalMilliseconds;
        if (heartbeat.LockDelayMs >= heartbeat.FenceBoundMs + margin)
        {
            _post(new LeaderHeartbeatEvent(headers.From!, heartbeat.SessionId, TimeSpan.FromMilliseconds(heartbeat.RenewAgeMs), TimeSpan.FromMilliseconds(heartbeat.FenceBoundMs)));
        }
        else if (_rules.FastFailover && AddOnce(headers.From!))
        {
            _logger.LeaderNotDestroyable(headers.From!, heartbeat.LockDelayMs, heartbeat.FenceBoundMs, margin);
        }

        await RespondAsync(context, headers, StatusCodes.Status200OK, new HeartbeatAnswer(true), PeerJsonContext.Default.HeartbeatAnswer);
    }

    private async Task PromiseAsync(HttpContext context, PeerRequestHeaders headers, byte[] body)
    {
        if (Parse(body, PeerJsonContext.Default.PromiseRequest) is not { SessionId: not null, DurationMs: > 0 } ask || ask.DurationMs > _rules.MaxPromise.TotalMilliseconds)
        {
            await RespondAsync(context, headers, StatusCodes.Status400BadRequest, new PromiseAnswer(false, 0, "malformed promise request"), PeerJsonContext.Default.PromiseAnswer);
            return;
        }

        // The failsafe's premise: a member promises only when the lock service is down for it too.
        var reachable = await _lockServiceReachable(context.RequestAborted);
        var id = Interlocked.Increment(ref _nextRequestId);
        var waiting = new TaskCompletionSource<AnswerPromiseAction>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiting;
        _post(new PromiseRequestedEvent(id, headers.From!, ask.SessionId, TimeSpan.FromMilliseconds(ask.DurationMs), reachable));
        AnswerPromiseAction answer;
        try
        {
            answer = await waiting.Task.WaitAsync(_rules.PromiseAnswerWait, _time, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            // If the machine grants later, it is bound and the leader does not count on it: safe.
            await RespondAsync(context, headers, StatusCodes.Status503ServiceUnavailable, new PromiseAnswer(false, 0, "the supervision loop did not answer in time"), PeerJsonContext.Default.PromiseAnswer);
            return;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }

        _logger.PromiseAnswered(headers.From!, ask.SessionId, ask.DurationMs, answer.Granted ? "granted" : $"refused ({answer.Reason})", reachable);
        var wire = new PromiseAnswer(answer.Granted, (long)answer.Duration.TotalMilliseconds, answer.Reason);
        await RespondAsync(context, headers, StatusCodes.Status200OK, wire, PeerJsonContext.Default.PromiseAnswer);
    }

    private async Task RespondAsync<T>(HttpContext context, PeerRequestHeaders request, int status, T value, JsonTypeInfo<T> type)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var signed = _auth.SignResponse(status, request, body);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        response.Headers[PeerWire.FromHeader] = signed.From;
        response.Headers[PeerWire.TimestampHeader] = signed.Timestamp;
        response.Headers[PeerWire.SignatureHeader] = signed.Signature;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private void Reject(HttpContext context, string path, PeerRejection rejection)
    {
        _rejected(rejection);
        var report = _rejections.Failed("peer request");
        if (report.Kind == FailureLogKind.First)
        {
            _logger.PeerRequestRejected(context.Request.Method, path, context.Connection.RemoteIpAddress?.ToString() ?? "?", rejection);
        }
        else if (report.Kind == FailureLogKind.Repeated)
        {
            _logger.PeerRequestsStillRejected(report.Count, (long)report.Window.TotalSeconds, rejection);
        }

        // Unsigned on purpose: the sender could not be authenticated, and a client takes any answer without a valid signature as no answer.
        context.Response.StatusCode = rejection == PeerRejection.Busy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status401Unauthorized;
    }

    private bool AddOnce(string node)
    {
        lock (_notDestroyable)
        {
            return _notDestroyable.Add(node);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > PeerWire.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > PeerWire.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    private static T? Parse<T>(byte[] body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
