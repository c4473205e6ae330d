using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Knd.Interop;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>A real <c>knd dev-consul</c> process on a loopback port chosen by the kernel, with its fault switches.</summary>
public sealed class DevConsulProcess : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private const string Marker = "dev-consul listening on ";
    private readonly List<string> _options;
    private readonly List<ChildProcess> _history = [];

    private DevConsulProcess(ChildProcess process, Uri baseAddress, List<string> options)
    {
        Process = process;
        BaseAddress = baseAddress;
        _options = options;
        _history.Add(process);
        _http.BaseAddress = baseAddress;
    }

    /// <summary>The running dev-consul (a new one after <see cref="RestartEmptyAsync"/>).</summary>
    public ChildProcess Process { get; private set; }

    public Uri BaseAddress { get; }

    public static async Task<DevConsulProcess> StartAsync(TimeSpan sessionTtlMin, string? aclToken = null)
    {
        List<string> options = ["--session-ttl-min", $"{(int)sessionTtlMin.TotalMilliseconds}ms"];
        if (aclToken is not null)
        {
            options.AddRange(["--acl-token", aclToken]);
        }

        var process = ChildProcess.Start("dev-consul", ChildProcess.Binary("knd"), ["dev-consul", "--listen", "127.0.0.1:0", .. options]);
        var line = await process.WaitForLineAsync(l => l.StartsWith(Marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30), "its listening line");
        return new DevConsulProcess(process, new Uri(line[Marker.Length..].Trim() + "/"), options);
    }

    /// <summary>
    /// "Consul lost its state": SIGKILL dev-consul and start a new, empty one on the same address
    /// (indexes back at 1, no sessions, no keys). Clients keep their URL; their connections break.
    /// <paramref name="downFor"/>: how long nothing listens before the new one starts;
    /// <paramref name="blackholed"/>: clients the new one cuts off from its start (<c>--blackhole</c>).
    /// </summary>
    public async Task RestartEmptyAsync(TimeSpan? downFor = null, IReadOnlyList<string>? blackholed = null)
    {
        Process.Signal(Libc.SigKill);
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        if (downFor is { } outage)
        {
            // The fault's own length (a Consul that stays down), not a wait for a condition.
            await Task.Delay(outage, TimeProvider.System);
        }

        var listen = $"{BaseAddress.Host}:{BaseAddress.Port}";
        var cut = (blackholed ?? []).SelectMany(node => new[] { "--blackhole", node });
        var process = ChildProcess.Start($"dev-consul (restart {_history.Count})", ChildProcess.Binary("knd"), ["dev-consul", "--listen", listen, .. _options, .. cut]);
        _history.Add(process);
        Process = process;
        await process.WaitForLineAsync(l => l.StartsWith(Marker + BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal), TimeSpan.FromSeconds(30), $"its listening line on {listen} again");
    }

    /// <summary>Adds a <c>/_dev/spoil</c> rule (see docs/dev-consul.md), e.g. <c>{"mode":"reset","op":"session_create","count":3}</c>.</summary>
    public Task SpoilAsync(JsonObject rule) => PutAsync("_dev/spoil", rule);

    /// <summary>A plain KV write (no ACL token: for clusters without one), e.g. to make Consul's index grow.</summary>
    public async Task PutAsync(string key, string value)
    {
        using var response = await _http.PutAsync($"v1/kv/{key}", new StringContent(value));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Everything dev-consul holds (<c>GET /_dev/state</c>).</summary>
    public async Task<JsonObject> StateAsync() => (await _http.GetFromJsonAsync<JsonObject>("_dev/state"))!;

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

    /// <summary>The IDs of every session dev-consul holds.</summary>
    public async Task<HashSet<string>> SessionIdsAsync()
    {
        var sessions = await _http.GetFromJsonAsync<JsonArray>("v1/session/list?stale");
        return sessions?.Select(s => s!["ID"]!.GetValue<string>()).ToHashSet() ?? [];
    }

    private async Task PutAsync(string path, JsonObject body)
    {
        using var response = await _http.PutAsync(path, JsonContent.Create(body));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The output of every dev-consul this helper ran, for failure messages.</summary>
    public string Tail(int count = 30) => string.Join('\n', _history.Select(p => p.Tail(count)));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        foreach (var process in _history)
        {
            await process.DisposeAsync();
        }
    }
}
