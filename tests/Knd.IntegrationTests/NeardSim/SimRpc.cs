using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Knd.IntegrationTests.NeardSim;

/// <summary>Small HTTP helpers against a sim's RPC, each request with its own timeout.</summary>
internal sealed class SimRpc : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _baseUrl;

    public SimRpc(Uri baseUrl) => _baseUrl = baseUrl;

    public Uri BaseUrl => _baseUrl;

    public void Dispose() => _http.Dispose();

    /// <summary>The HTTP status and body of GET <paramref name="path"/>, or null when the connection fails.</summary>
    public async Task<(HttpStatusCode Status, string Body)?> GetAsync(string path, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var response = await _http.GetAsync(new Uri(_baseUrl, path), cts.Token);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cts.Token));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(_baseUrl, content, cts.Token);
        var text = await response.Content.ReadAsStringAsync(cts.Token);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The bare GET /status object, or null when not answering 200.</summary>
    public async Task<JsonElement?> StatusAsync()
    {
        var response = await GetAsync("status", TimeSpan.FromSeconds(5));
        return response is { Status: HttpStatusCode.OK } ok ? JsonDocument.Parse(ok.Body).RootElement.Clone() : null;
    }

    public async Task<long?> MetricAsync(string name)
    {
        var response = await GetAsync("metrics", TimeSpan.FromSeconds(5));
        if (response is not { Status: HttpStatusCode.OK } ok)
        {
            return null;
        }

        foreach (var line in ok.Body.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
