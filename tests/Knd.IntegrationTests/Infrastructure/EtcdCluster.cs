using System.Text.Json.Nodes;
using Knd.Interop;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// Real <c>etcd</c> members (Debian's etcd-server, installed by ./test.sh) on loopback ports, each with
/// its own temporary data directory; a member can be stopped and started again on the same data.
/// Every process is killed and every directory removed on dispose.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly List<EtcdMember> _members;
    private readonly List<ChildProcess> _history = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly IReadOnlyList<string> _extraArguments;

    private EtcdCluster(string root, List<EtcdMember> members, IReadOnlyList<string> extraArguments)
    {
        _root = root;
        _members = members;
        _extraArguments = extraArguments;
    }

    public IReadOnlyList<EtcdMember> Members => _members;

    /// <summary>The members' client URLs, comma-separated (knd's --etcd-endpoints, etcdctl's --endpoints).</summary>
    public string Endpoints => string.Join(',', _members.Select(m => m.ClientUrl));

    public static string Binary => File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd" : "etcd";

    /// <summary>Starts <paramref name="size"/> members and waits until the cluster has a leader and serves requests.</summary>
    /// <remarks>
    /// <paramref name="https"/> with <paramref name="extraArguments"/> naming the server's TLS files makes
    /// the client URLs https://; the caller then waits for the cluster with its own client (/health
    /// needs the client certificate).
    /// </remarks>
    public static async Task<EtcdCluster> StartAsync(int size, bool https = false, IReadOnlyList<string>? extraArguments = null)
    {
        var root = Directory.CreateTempSubdirectory("knd-etcd-").FullName;
        var members = Enumerable.Range(0, size)
            .Select(i => new EtcdMember($"etcd-{i}", NeardSimHome.FreeLoopbackPort(), NeardSimHome.FreeLoopbackPort(), Path.Combine(root, $"etcd-{i}"), https ? "https" : "http"))
            .ToList();
        var cluster = new EtcdCluster(root, members, extraArguments ?? []);
        try
        {
            foreach (var member in members)
            {
                cluster.Start(member);
            }

            if (!https)
            {
                await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(60));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts a stopped member again on its data directory.</summary>
    public void Start(EtcdMember member)
    {
        var initialCluster = string.Join(',', _members.Select(m => $"{m.Name}={m.PeerUrl}"));
        var process = ChildProcess.Start(member.Name, Binary,
        [
            "--name", member.Name,
            "--data-dir", member.DataDir,
            "--listen-client-urls", member.ClientUrl,
            "--advertise-client-urls", member.ClientUrl,
            "--listen-peer-urls", member.PeerUrl,
            "--initial-advertise-peer-urls", member.PeerUrl,
            "--initial-cluster", initialCluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", Path.GetFileName(_root),
            "--logger", "zap",
            "--log-level", "warn",
            .. _extraArguments,
        ]);
        member.Process = process;
        _history.Add(process);
    }

    /// <summary>Stops a member: SIGKILL (a crashed host) or SIGTERM (an orderly stop).</summary>
    public async Task StopAsync(EtcdMember member, bool kill = true)
    {
        if (member.Process is not { } process)
        {
            return;
        }

        process.Signal(kill ? Libc.SigKill : Libc.SigTerm);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        member.Process = null;
    }

    /// <summary>Waits until every running member answers /health with a leader.</summary>
    public Task WaitHealthyAsync(TimeSpan timeout) =>
        Eventually.UntilAsync(
            async () =>
            {
                foreach (var member in _members.Where(m => m.Process is not null))
                {
                    if (!await HealthyAsync(member))
                    {
                        return false;
                    }
                }

                return true;
            },
            timeout,
            () => Tail());

    /// <summary>The member etcd's leader is, by /v3 maintenance status over the gateway (etcdctl endpoint status).</summary>
    public async Task<EtcdMember?> LeaderAsync()
    {
        foreach (var member in _members.Where(m => m.Process is not null))
        {
            var status = await EtcdctlAsync(member, "endpoint", "status", "-w", "json");
            if (status.ExitCode != 0)
            {
                continue;
            }

            var entry = JsonNode.Parse(status.Stdout)?[0]?["Status"];
            var leader = entry?["leader"]?.GetValue<ulong>();
            var self = entry?["header"]?["member_id"]?.GetValue<ulong>();
            if (leader is not null && leader == self)
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>A key's value (etcdctl get), or null when missing or etcd cannot answer.</summary>
    public async Task<string?> ValueAsync(string key)
    {
        var member = _members.FirstOrDefault(m => m.Process is not null);
        if (member is null)
        {
            return null;
        }

        var get = await EtcdctlAsync(member, "get", key, "--print-value-only");
        return get.ExitCode == 0 && get.Stdout.Length > 0 ? get.Stdout.TrimEnd('\n') : null;
    }

    public async Task<(int ExitCode, string Stdout)> EtcdctlAsync(EtcdMember member, params string[] arguments)
    {
        await using var process = ChildProcess.Start("etcdctl", File.Exists("/usr/bin/etcdctl") ? "/usr/bin/etcdctl" : "etcdctl", ["--endpoints", member.ClientUrl, "--command-timeout", "2s", .. arguments], new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        return (code, string.Join('\n', process.StdoutLines));
    }

    private async Task<bool> HealthyAsync(EtcdMember member)
    {
        try
        {
            var health = await _http.GetStringAsync(new Uri(new Uri(member.ClientUrl), "/health"));
            return JsonNode.Parse(health)?["health"]?.GetValue<string>() == "true";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    public string Tail(int count = 20) => string.Join('\n', _history.Select(p => p.Tail(count)));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        foreach (var process in _history)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A straggling process may still hold a file; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>One etcd member: its name, loopback ports and data directory; <see cref="Process"/> is null while stopped.</summary>
public sealed class EtcdMember(string name, int clientPort, int peerPort, string dataDir, string scheme = "http")
{
    public string Name => name;

    public string ClientUrl => $"{scheme}://127.0.0.1:{clientPort}";

    public string PeerUrl => $"http://127.0.0.1:{peerPort}";

    public int ClientPort => clientPort;

    public string DataDir => dataDir;

    public ChildProcess? Process { get; set; }
}
