using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Knd.Configuration;

namespace Knd.Peers;

/// <summary>The outcome of one peer call: the member's verified answer, or why there is none.</summary>
internal sealed record PeerCall<T>(T? Answer, string? Error, string Outcome)
    where T : class
{
    public bool Ok => Error is null;
}

/// <summary>
/// Sends signed requests to other members and accepts only answers signed by the member asked, for
/// that very request (<see cref="PeerAuth.VerifyResponse"/>). Every call has its own timeout; nothing
/// but the caller's cancellation comes out as an exception.
/// </summary>
internal sealed class PeerClient
{
    private readonly HttpClient _http;
    private readonly PeerAuth _auth;

    public PeerClient(HttpClient http, PeerAuth auth)
    {
        _http = http;
        _auth = auth;
    }

    /// <summary>An <see cref="HttpClient"/> for the peer channel: no proxy, a short connect timeout, per-call timeouts.</summary>
    public static HttpClient CreateHttpClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // Connection housekeeping, not a knd timing: a member's re-resolved address is used within minutes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<PeerCall<TAnswer>> PostAsync<TRequest, TAnswer>(
        string member, string address, string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TAnswer> answerType, TimeSpan timeout, CancellationToken cancellationToken)
        where TAnswer : class
    {
        if (!EndpointParser.TryParseEndpoint(address, allowPortZero: false, out var endpoint, out _))
        {
            return new(null, $"its members/ record names no usable peer address ({address})", "bad_address");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var headers = _auth.SignRequest(HttpMethod.Post.Method, path, member, body);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{endpoint}{path}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        message.Headers.Add(PeerWire.FromHeader, headers.From);
        message.Headers.Add(PeerWire.ToHeader, headers.To);
        message.Headers.Add(PeerWire.TimestampHeader, headers.Timestamp);
        message.Headers.Add(PeerWire.NonceHeader, headers.Nonce);
        message.Headers.Add(PeerWire.SignatureHeader, headers.Signature);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is StatusCodes.Status401Unauthorized)
            {
                return new(null, $"refused as unauthenticated (401): the two hosts' cluster secrets differ, or their clocks are more than {_auth.Window.TotalSeconds:0} s apart", "unauthorized");
            }

            if (response.Content.Headers.ContentLength > PeerWire.MaxBodyBytes)
            {
                return new(null, "the answer is too large", "malformed");
            }

            var answerBody = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            var signed = new PeerResponseHeaders(One(response, PeerWire.FromHeader), One(response, PeerWire.TimestampHeader), One(response, PeerWire.SignatureHeader));
            if (_auth.VerifyResponse(status, headers, member, signed, answerBody) is { } forged)
            {
                return new(null, $"{forged} (HTTP {status})", "forged");
            }

            TAnswer? answer;
            try
            {
                answer = JsonSerializer.Deserialize(answerBody, answerType);
            }
            catch (JsonException)
            {
                answer = null;
            }

            return answer is null ? new(null, $"an unreadable answer (HTTP {status})", "malformed")
                : status == StatusCodes.Status200OK ? new(answer, null, "ok")
                : new(answer, $"HTTP {status}", "error");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, $"no answer within {timeout.TotalMilliseconds:0} ms", "timeout");
        }
        catch (IOException e)
        {
            return new(null, $"the connection broke ({e.Message})", "unreachable");
        }
        catch (HttpRequestException e)
        {
            return new(null, e.HttpRequestError == HttpRequestError.ConnectionError ? $"cannot connect ({e.Message})" : e.Message, "unreachable");
        }
    }

    private static string? One(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && values.Count() == 1 ? values.First() : null;
}
