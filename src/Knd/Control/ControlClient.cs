using System.Net.Http.Headers;
using System.Net.Sockets;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>
/// The CLI's side of the control socket: HTTP/1.1 over the unix socket at <see cref="SocketPath"/>.
/// Any failure to get an answer (no socket, refused, permission, timeout, a connection that broke)
/// is a <see cref="DaemonUnreachableException"/> naming the path; an answer, whatever its status,
/// is a <see cref="ControlCall"/>.
/// </summary>
internal sealed class ControlClient : IDisposable
{
    private static readonly Uri BaseAddress = new("http://localhost/");
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    public ControlClient(string socketPath, TimeSpan timeout)
    {
        SocketPath = socketPath;
        _timeout = timeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = timeout, MaxResponseContentBufferSize = 1024 * 1024 };
    }

    public string SocketPath { get; }

    public Task<ControlCall> GetAsync(string route, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/')), cancellationToken);

    public Task<ControlCall> PostAsync(string route, byte[]? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonType } };
        }

        return SendAsync(request, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<ControlCall> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                return new ControlCall((int)response.StatusCode, body);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DaemonUnreachableException(UnreachableReason.TimedOut, $"knd at {Quote()} did not answer within {_timeout.TotalSeconds:0.#} s", ex);
            }
            catch (HttpRequestException ex)
            {
                var (reason, message) = Describe(ex);
                throw new DaemonUnreachableException(reason, message, ex);
            }
        }
    }

    private (UnreachableReason Reason, string Message) Describe(HttpRequestException ex)
    {
        var kind = FileProbe.Kind(SocketPath);
        if (kind == FileKind.Missing)
        {
            return (UnreachableReason.Missing, $"cannot reach knd: there is no socket at {Quote()} (is knd running? give its --control-socket)");
        }

        if (kind != FileKind.Socket)
        {
            return (UnreachableReason.Other, $"cannot reach knd: {Quote()} {FileProbe.Describe(kind)}, not a socket");
        }

        return FindSocketError(ex) switch
        {
            SocketError.ConnectionRefused => (UnreachableReason.Refused, $"cannot reach knd at {Quote()}: connection refused (knd is not running; the socket is left over)"),
            SocketError.AccessDenied => (UnreachableReason.Other, $"cannot reach knd at {Quote()}: permission denied (the socket is mode 0600: run as the user knd runs as)"),
            SocketError.TimedOut => (UnreachableReason.TimedOut, $"knd at {Quote()} did not answer within {_timeout.TotalSeconds:0.#} s"),
            { } other => (UnreachableReason.Other, $"cannot reach knd at {Quote()}: {other}"),
            null => (UnreachableReason.Broken, $"lost the connection to knd at {Quote()} before it answered ({ex.Message.ReplaceLineEndings(" ")})"),
        };
    }

    private static SocketError? FindSocketError(Exception ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socketException)
            {
                return socketException.SocketErrorCode;
            }
        }

        return null;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private string Quote() => ValueText.Quote(SocketPath);
}
