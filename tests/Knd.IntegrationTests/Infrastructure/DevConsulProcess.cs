using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>A real <c>knd dev-consul</c> process on a loopback port chosen by the kernel, with its fault switches.</summary>
public sealed class DevConsulProcess : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private DevConsulProcess(ChildProcess process, Uri baseAddress)
    {
        Process = process;
        BaseAddress = baseAddress;
        _http.BaseAddress = baseAddress;
    }

    public ChildProcess Process { get; }

    public Uri BaseAddress { get; }

    public static async Task<DevConsulProcess> StartAsync(TimeSpan sessionTtlMin, string? aclToken = null)
    {
        List<string> args = ["dev-consul", "--listen", "127.0.0.1:0", "--session-ttl-min", $"{(int)sessionTtlMin.TotalMilliseconds}ms"];
        if (aclToken is not null)
        {
            args.AddRange(["--acl-token", aclToken]);
        }

        var process = ChildProcess.Start("dev-consul", ChildProcess.Binary("knd"), args);
        const string Marker = "dev-consul listening on ";
        var line = await process.WaitForLineAsync(l => l.StartsWith(Marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30), "its listening line");
        return new DevConsulProcess(process, new Uri(line[Marker.Length..].Trim() + "/"));
    }

    public Task BlackholeAsync(string nodeId, bool enabled) => PutAsync("_dev/blackhole", new JsonObject { ["node"] = nodeId, ["enabled"] = enabled });

    public Task NoLeaderAsync(bool enabled) => PutAsync("_dev/no-leader", new JsonObject { ["enabled"] = enabled });

    /// <summary>The lock key's current Session, or null when unlocked or missing (a stale read: fine for tests).</summary>
    public async Task<string?> LockHolderAsync(string key)
    {
        using var response = await _http.GetAsync($"v1/kv/{key}?stale");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var entries = await response.Content.ReadFromJsonAsync<JsonArray>();
        return entries?[0]?["Session"]?.GetValue<string>();
    }

    /// <summary>A key's raw value (<c>?raw</c>), or null when missing.</summary>
    public async Task<string?> ValueAsync(string key)
    {
        using var response = await _http.GetAsync($"v1/kv/{key}?raw&stale");
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
    }

    /// <summary>How many sessions dev-consul holds (a leak check).</summary>
    public async Task<int> SessionCountAsync()
    {
        var sessions = await _http.GetFromJsonAsync<JsonArray>("v1/session/list?stale");
        return sessions?.Count ?? 0;
    }

    private async Task PutAsync(string path, JsonObject body)
    {
        using var response = await _http.PutAsync(path, JsonContent.Create(body));
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }
}
