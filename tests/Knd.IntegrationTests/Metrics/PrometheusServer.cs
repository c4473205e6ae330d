using System.Globalization;
using System.Text.Json;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Metrics;

/// <summary>
/// A real Prometheus server (Debian package <c>prometheus</c>) scraping one target on loopback,
/// with its TSDB in a temp dir. Dispose kills it and removes the dir, on every path.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string MissingMessage =
        "prometheus was not found (looked on PATH and at /usr/bin/prometheus). It comes with Debian's 'prometheus' package: " +
        "apt-get install prometheus. CI installs it; this test must not be skipped.";

    private readonly string _directory;
    private readonly HttpClient _http;
    private ChildProcess? _process;

    private PrometheusServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public int Port { get; }

    public string Output => _process?.Tail() ?? "(not started)";

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) every 200 ms and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, CancellationToken cancellationToken)
    {
        var binary = Locate("prometheus");
        Assert.True(binary is not null, MissingMessage);
        var directory = Directory.CreateTempSubdirectory("knd-prometheus-").FullName;
        var server = new PrometheusServer(directory, FreePort());
        try
        {
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(
                config,
                "global:\n  scrape_interval: 200ms\n  scrape_timeout: 200ms\n" +
                $"scrape_configs:\n  - job_name: knd\n    static_configs:\n      - targets: ['{target}']\n",
                cancellationToken);
            server._process = ChildProcess.Start(
                "prometheus",
                binary!,
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{server.Port}"],
                workingDirectory: directory);
            await Eventually.UntilAsync(server.IsReadyAsync, TimeSpan.FromSeconds(30), () => "Prometheus ready\n" + server.Output);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The instant vector of <paramref name="query"/>: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, string Value)>> QueryAsync(string query)
    {
        var uri = new Uri("api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative);
        using var document = JsonDocument.Parse(await _http.GetStringAsync(uri));
        var root = document.RootElement;
        Assert.Equal("success", root.GetProperty("status").GetString());
        var series = new List<(IReadOnlyDictionary<string, string>, string)>();
        foreach (var item in root.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            series.Add((labels, item.GetProperty("value")[1].GetString()!));
        }

        return series;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir must not fail a test.
        }
    }

    private static string? Locate(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    /// <summary>A port free right now that no port-0 bind will take meanwhile (Prometheus needs a fixed address).</summary>
    private static int FreePort() => Knd.Localnet.FixedPorts.Next();

    private async Task<bool> IsReadyAsync()
    {
        if (_process is { HasExited: true })
        {
            throw new InvalidOperationException("Prometheus exited before it was ready (port " + Port.ToString(CultureInfo.InvariantCulture) + ")\n" + Output);
        }

        try
        {
            using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
