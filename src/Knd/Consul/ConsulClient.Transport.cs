using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Knd.Logging;

namespace Knd.Consul;

internal sealed partial class ConsulClient
{
    private const string TokenHeader = "X-Consul-Token";
    private const string NodeHeader = "X-Knd-Node";

    /// <summary>
    /// Sends one request under its own timeout. Returns the raw answer, or a Timeout/Transport
    /// error. A cancelled <paramref name="cancellationToken"/> throws, as callers expect.
    /// </summary>
    private async Task<ConsulResult<RawResponse>> SendAsync(
        string operation,
        HttpMethod method,
        string pathAndQuery,
        ReadOnlyMemory<byte>? body,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var request = new HttpRequestMessage(method, new Uri(_baseUri + pathAndQuery));
        if (body is { } bytes)
        {
            request.Content = new ReadOnlyMemoryContent(bytes);
        }

        var token = _options.TokenProvider();
        if (!string.IsNullOrEmpty(token))
        {
            if (!IsValidHeaderValue(token))
            {
                return new ConsulError(ConsulErrorKind.BadRequest, null, "the Consul ACL token contains characters that cannot be sent in an HTTP header");
            }

            request.Headers.TryAddWithoutValidation(TokenHeader, token);
        }

        if (!string.IsNullOrEmpty(_options.ClientNodeId) && IsValidHeaderValue(_options.ClientNodeId))
        {
            request.Headers.TryAddWithoutValidation(NodeHeader, _options.ClientNodeId);
        }

        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var started = _timeProvider.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var content = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var status = (int)response.StatusCode;
            _logger.ConsulRequestCompleted(operation, method.Method, PathOnly(pathAndQuery), status, (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return ConsulResult<RawResponse>.Ok(new RawResponse(status, content, response.Headers));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout, or HttpClient.Timeout if the caller's HttpClient has one.
            return new ConsulError(ConsulErrorKind.Timeout, null, $"no answer from Consul at {_authority} within {(long)timeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException ex)
        {
            return new ConsulError(ConsulErrorKind.Transport, null, Redact($"cannot reach Consul at {_authority}: {ex.Message}"));
        }
        catch (IOException ex)
        {
            return new ConsulError(ConsulErrorKind.Transport, null, Redact($"connection to Consul at {_authority} failed: {ex.Message}"));
        }
    }

    /// <summary>
    /// Reports the outcome to the observer and the log, and hands the result back. A run of failures
    /// of one operation is logged once, then summarised (<see cref="FailureLogLimiter"/>), then its end.
    /// </summary>
    private ConsulResult<T> Complete<T>(string operation, ConsulResult<T> result)
    {
        if (result.Error is { } error)
        {
            if (error.Kind is ConsulErrorKind.Timeout or ConsulErrorKind.Transport)
            {
                Volatile.Write(ref _unreachableSinceAnswer, true);
            }

            var safe = error with { Message = Redact(error.Message) };
            var report = _failures.Failed(operation);
            switch (report.Kind)
            {
                case FailureLogKind.First:
                    _logger.ConsulRequestFailed(operation, safe.Kind, safe.Message);
                    break;
                case FailureLogKind.Repeated:
                    _logger.ConsulRequestStillFailing(operation, report.Count, (long)report.Window.TotalSeconds, safe.Kind, safe.Message);
                    break;
                default:
                    _logger.ConsulRequestFailedAgain(operation, safe.Kind, safe.Message);
                    break;
            }

            _options.RequestObserver?.Invoke(operation, ConsulOperations.Outcome(safe.Kind));
            return ConsulResult<T>.Fail(safe);
        }

        if (Interlocked.Exchange(ref _unreachableSinceAnswer, false))
        {
            // Consul answers again: wake every blocking query that was sent before this answer.
            Interlocked.Exchange(ref _reconnected, new CancellationTokenSource()).Cancel();
        }

        var recovered = _failures.Succeeded(operation);
        if (recovered.Kind == FailureLogKind.Recovered)
        {
            _logger.ConsulRequestRecovered(operation, recovered.Count, (long)recovered.Window.TotalSeconds);
        }

        _options.RequestObserver?.Invoke(operation, ConsulOperations.Ok);
        return result;
    }

    private ConsulResult<T> Fail<T>(string operation, ConsulError error) => Complete(operation, ConsulResult<T>.Fail(error));

    private ConsulResult<T> Succeed<T>(string operation, T value) => Complete(operation, ConsulResult<T>.Ok(value));

    /// <summary>
    /// Runs one public call so that nothing but the caller's own cancellation escapes it: whatever a
    /// malformed answer makes the code below trip over becomes one failed request.
    /// </summary>
    private async Task<ConsulResult<T>> GuardAsync<T>(string operation, CancellationToken cancellationToken, Func<Task<ConsulResult<T>>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return Fail<T>(operation, new ConsulError(ConsulErrorKind.MalformedResponse, null, $"knd could not handle Consul's answer ({e.GetType().Name}: {e.Message})"));
        }
    }

    /// <summary>Parses a JSON document into a non-null value; any parse failure (bad JSON, wrong type, bad base64) is false.</summary>
    private static bool TryParse<T>(byte[] body, JsonTypeInfo<T> typeInfo, out T? value)
    {
        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo);
            return value is not null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
        {
            value = default;
            return false;
        }
    }

    /// <summary><see cref="TryParse{T}"/> for value types (a JSON <c>null</c> is not a value).</summary>
    private static bool TryParseValue<T>(byte[] body, JsonTypeInfo<T> typeInfo, out T value)
        where T : struct
    {
        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>The malformed-answer error for a bad <c>X-Consul-Index</c>, or null when it is fine.</summary>
    private static ConsulError? IndexError(RawResponse response, ulong waitedOn) =>
        ConsulAnswers.IndexProblem(response.IndexHeader, waitedOn, out _) is { } problem ? ConsulErrors.Malformed(response.Status, problem) : null;

    /// <summary>A last line of defence: whatever Consul or the runtime put in a message, the token is cut out.</summary>
    private string Redact(string message)
    {
        var token = _options.TokenProvider();
        return string.IsNullOrEmpty(token) ? message : message.Replace(token, "[redacted]", StringComparison.Ordinal);
    }

    private static bool IsValidHeaderValue(string value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static string PathOnly(string pathAndQuery)
    {
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? pathAndQuery : pathAndQuery[..question];
    }

    private static string Text(byte[] body) => Encoding.UTF8.GetString(body);

    /// <summary>A Consul answer: status, body and the response headers (index, known leader).</summary>
    private sealed record RawResponse(int Status, byte[] Body, HttpResponseHeaders Headers)
    {
        public bool IsSuccess => Status is >= 200 and < 300;

        public string? IndexHeader => Header("X-Consul-Index");

        /// <summary>The index, once <see cref="IndexError"/> has found it fine; null when absent or unreadable.</summary>
        public ulong? Index => ConsulAnswers.IndexProblem(IndexHeader, 0, out var index) is null ? index : null;

        public bool KnownLeader => string.Equals(Header("X-Consul-KnownLeader"), "true", StringComparison.OrdinalIgnoreCase);

        private string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
    }
}
