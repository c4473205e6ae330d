using System.Net;
using System.Net.Sockets;

namespace Knd.Neard;

/// <summary>An HTTP answer read completely within the call's timeout.</summary>
internal sealed record NeardHttpAnswer(HttpStatusCode StatusCode, byte[] Body);

/// <summary>The HTTP transport to neard: one timeout per call covering the whole answer, failures typed.</summary>
internal sealed class NeardHttp : IDisposable
{
    // /metrics of a real neard is a few hundred kB; this only bounds a misbehaving peer.
    private const long MaxAnswerBytes = 32 * 1024 * 1024;

    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public NeardHttp(Uri baseAddress, TimeSpan timeout, TimeProvider timeProvider)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        var handler = new SocketsHttpHandler
        {
            // neard is local: an http_proxy in knd's environment must not apply to it.
            UseProxy = false,
            AllowAutoRedirect = false,
            // Connection housekeeping, not a knd timing: the 500 ms /status poll keeps one connection warm.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _client = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxAnswerBytes,
        };
    }

    public Uri BaseAddress => _client.BaseAddress!;

    public async Task<NeardRpcResult<NeardHttpAnswer>> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            // ResponseContentRead: the body is read under the same timeout as the headers.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return NeardRpcResult<NeardHttpAnswer>.Ok(new NeardHttpAnswer(response.StatusCode, body));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new NeardRpcError(NeardRpcErrorKind.Timeout, $"{method} /{path}: no answer within {_timeout.TotalMilliseconds:0}ms");
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new NeardRpcError(NeardRpcErrorKind.ConnectionRefused, $"{method} /{path}: connection refused by {BaseAddress.Authority}");
        }
        catch (ObjectDisposedException)
        {
            // The driver closes a neard's client when it replaces that neard; a reader holding the old one gets this.
            return new NeardRpcError(NeardRpcErrorKind.Transport, $"{method} /{path}: the RPC client of a neard that was since replaced");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new NeardRpcError(NeardRpcErrorKind.Transport, $"{method} /{path}: {ex.Message}");
        }
    }

    public void Dispose() => _client.Dispose();
}
