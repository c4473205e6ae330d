using System.Net;
using System.Text;

namespace Knd.Tests.Consul;

/// <summary>A hand-written HTTP handler answering every request with one canned response, recording what was sent.</summary>
public sealed class CannedHandler(HttpStatusCode status, string body) : HttpMessageHandler
{
    private readonly List<SentRequest> _sent = [];

    public IReadOnlyList<SentRequest> Sent
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToList();
            }
        }
    }

    public Dictionary<string, string> Headers { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_sent)
        {
            _sent.Add(new SentRequest(request.Method.Method, request.RequestUri!.PathAndQuery, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)), content));
        }

        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
        foreach (var (name, value) in Headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public sealed record SentRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
}
