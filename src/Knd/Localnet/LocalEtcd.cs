using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Knd.Neard;

namespace Knd.Localnet;

/// <summary>
/// <c>knd localnet --dcs etcd</c>: three real etcd members (Debian's <c>etcd-server</c>) on loopback
/// ports with their data under <c>DIR/etcd/</c>, and in front of them one <see cref="FaultProxy"/> per
/// knd and member, so a fault can hurt one knd's path (a partition) or every path (latency, garbage)
/// while etcd itself stays whole. Members are started through the localnet's launcher, so they die
/// with it.
/// </summary>
internal sealed class LocalEtcd : LocalDcs
{
    /// <summary>Three members: one may fail without losing the quorum, two lose it.</summary>
    public const int Size = 3;

    /// <summary>
    /// Free ports are found by binding and releasing, so another program (another localnet starting at
    /// the same moment) can take one before etcd binds it; the first start then tries new ports.
    /// </summary>
    private const int StartAttempts = 3;

    /// <summary>Members start, find each other and elect a leader well within this on a loaded machine.</summary>
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan HealthPoll = TimeSpan.FromMilliseconds(200);

    private readonly string _binary;
    private readonly string _root;
    private readonly ChildLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private readonly List<Member> _members;
    private readonly Dictionary<string, (LinkFaults Faults, List<FaultProxy> Proxies)> _links = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private int _generation;

    private LocalEtcd(string binary, string root, ChildLauncher launcher, TimeProvider time, Action<string> report)
    {
        _binary = binary;
        _root = root;
        _launcher = launcher;
        _time = time;
        _report = report;
        _members = [.. Enumerable.Range(0, Size).Select(i => new Member(
            string.Create(CultureInfo.InvariantCulture, $"etcd-{i}"),
            NodeLayout.FreeLoopbackPort(),
            NodeLayout.FreeLoopbackPort(),
            Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"etcd-{i}"))))];
    }

    public override string Kind => "etcd";

    public override string Describe => $"etcd {Size} members {string.Join(',', _members.Select(m => m.ClientUrl))} (each knd through its own proxies)";

    /// <summary>The etcd binary, or null with a one-line reason naming the Debian package.</summary>
    public static string? FindBinary(out string? problem)
    {
        var binary = ExecutableResolver.Resolve("etcd", Environment.GetEnvironmentVariable("PATH"));
        problem = binary is null ? "--dcs etcd: etcd is not installed; install Debian's etcd-server package (sudo apt-get install etcd-server) or put etcd on PATH" : null;
        return binary;
    }

    public static async Task<LocalEtcd> StartAsync(string root, ChildLauncher launcher, TimeProvider time, Action<string> report, CancellationToken cancellationToken)
    {
        var binary = FindBinary(out var problem) ?? throw new LocalnetException(problem!);
        var etcd = new LocalEtcd(binary, Path.Combine(root, "etcd"), launcher, time, report);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await etcd.StartEmptyAsync(cancellationToken);
                return etcd;
            }
            catch (LocalnetException e) when (attempt < StartAttempts)
            {
                report($"etcd did not start ({e.Message}); trying new ports");
                await etcd.StopAsync();
                etcd.TakeNewPorts();
            }
            catch
            {
                await etcd.DisposeAsync();
                throw;
            }
        }
    }

    public override IReadOnlyList<string> RunArguments(string nodeId)
    {
        if (!_links.TryGetValue(nodeId, out var link))
        {
            var faults = new LinkFaults();
            link = (faults, [.. _members.Select(m => new FaultProxy(m.ClientPort, faults, _time))]);
            _links[nodeId] = link;
        }

        return ["--dcs", "etcd", "--etcd-endpoints", string.Join(',', link.Proxies.Select(p => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{p.Port}")))];
    }

    public override void SetBlackhole(string nodeId, bool enabled)
    {
        if (_links.TryGetValue(nodeId, out var link))
        {
            link.Faults.Blackholed = enabled;
        }
    }

    public override void SetLatency(TimeSpan latency)
    {
        foreach (var (faults, _) in _links.Values)
        {
            faults.Latency = latency;
        }
    }

    public override string StartGarbage(TimeSpan duration)
    {
        foreach (var (faults, _) in _links.Values)
        {
            faults.GarbageEvery = LocalnetTimings.EtcdGarbageEvery;
        }

        return $"every {LocalnetTimings.EtcdGarbageEvery}th chunk etcd sends to each knd spoiled (cut in half, an HTTP/1.1 502, or a stall, in turn; each ends the connection) for {duration.TotalSeconds:0} s";
    }

    public override void StopGarbage()
    {
        foreach (var (faults, _) in _links.Values)
        {
            faults.GarbageEvery = 0;
        }
    }

    /// <summary>The quorum is lost: etcd's leader and one more member are SIGKILLed; their data stays.</summary>
    public override async Task<string> LoseLeaderAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken) ?? _members[0];
        var other = _members.First(m => m != leader && m.Process is not null);
        await KillAsync(leader);
        await KillAsync(other);
        return $"etcd quorum lost: {leader.Name} (its leader) and {other.Name} SIGKILLed";
    }

    /// <summary>The stopped members start again on their data; waits until every member has a leader.</summary>
    public override async Task RestoreLeaderAsync(CancellationToken cancellationToken)
    {
        foreach (var member in _members.Where(m => m.Process is null))
        {
            await StartMemberAsync(member);
        }

        await WaitHealthyAsync(cancellationToken);
    }

    /// <summary>
    /// consul-no-leader on etcd: the member that leads etcd is SIGKILLed, the other two elect a new
    /// one (the lease timers move to it), and the killed member starts again on its data.
    /// </summary>
    public async Task<string> KillLeaderMemberAsync(CancellationToken cancellationToken)
    {
        if (await LeaderAsync(cancellationToken) is not { } leader)
        {
            return "etcd had no leader to kill";
        }

        var killedAt = _time.GetTimestamp();
        await KillAsync(leader);
        await WaitHealthyAsync(cancellationToken);
        var elected = _time.GetElapsedTime(killedAt);
        await StartMemberAsync(leader);
        await WaitHealthyAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"etcd's leader {leader.Name} SIGKILLed; the others elected a new one within {elected.TotalSeconds:0.0} s; {leader.Name} restarted");
    }

    public override async Task StopAsync()
    {
        foreach (var member in _members)
        {
            await KillAsync(member);
        }

        foreach (var member in _members)
        {
            if (Directory.Exists(member.DataDir))
            {
                Directory.Delete(member.DataDir, recursive: true);
            }
        }
    }

    /// <summary>A new cluster (a new token, so a new cluster id) on the same ports, with empty data directories.</summary>
    public override async Task StartEmptyAsync(CancellationToken cancellationToken)
    {
        _generation++;
        Directory.CreateDirectory(_root);
        foreach (var member in _members)
        {
            await StartMemberAsync(member);
        }

        await WaitHealthyAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var (_, proxies) in _links.Values)
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }

        foreach (var member in _members)
        {
            await KillAsync(member);
        }

        _http.Dispose();
    }

    private async Task StartMemberAsync(Member member)
    {
        var initialCluster = string.Join(',', _members.Select(m => $"{m.Name}={m.PeerUrl}"));
        var info = _launcher.CreateStartInfo(_binary,
        [
            "--name", member.Name,
            "--data-dir", member.DataDir,
            "--listen-client-urls", member.ClientUrl,
            "--advertise-client-urls", member.ClientUrl,
            "--listen-peer-urls", member.PeerUrl,
            "--initial-advertise-peer-urls", member.PeerUrl,
            "--initial-cluster", initialCluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", string.Create(CultureInfo.InvariantCulture, $"knd-localnet-{Environment.ProcessId}-{_generation}"),
            "--logger", "zap",
            "--log-level", "warn",
        ]);

        // etcd 3.4 writes some lines outside its logger: everything goes to the member's log, none to the terminal.
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var log = new StreamWriter(Path.Combine(_root, member.Name + ".log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Append(log, line.Data);
        process.ErrorDataReceived += (_, line) => Append(log, line.Data);
        await _launcher.StartAsync(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        member.Process = process;
        member.Log = log;
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The member's last lines after its log was closed.
            }
        }
    }

    private async Task KillAsync(Member member)
    {
        if (member.Process is not { } process)
        {
            return;
        }

        member.Process = null;
        try
        {
            process.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            _report($"etcd member {member.Name} (pid {SafePid(process)}) did not confirm its exit");
        }
        finally
        {
            process.Dispose();
            if (member.Log is { } log)
            {
                member.Log = null;
                lock (log)
                {
                    log.Dispose();
                }
            }
        }
    }

    private static string SafePid(Process process)
    {
        try
        {
            return process.Id.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private void TakeNewPorts()
    {
        foreach (var member in _members)
        {
            member.ClientPort = NodeLayout.FreeLoopbackPort();
            member.PeerPort = NodeLayout.FreeLoopbackPort();
        }
    }

    /// <summary>Waits until every running member reports a leader (etcd's /health); a member that exited fails the wait with its last log line.</summary>
    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            if (_members.FirstOrDefault(m => m.Process is { HasExited: true }) is { } dead)
            {
                throw new LocalnetException($"etcd member {dead.Name} exited: {LastLine(dead)}");
            }

            var healthy = true;
            foreach (var member in _members.Where(m => m.Process is not null))
            {
                healthy &= await HealthyAsync(member, cancellationToken);
            }

            if (healthy)
            {
                return;
            }

            if (_time.GetElapsedTime(started) > HealthyTimeout)
            {
                throw new LocalnetException($"etcd did not elect a leader within {HealthyTimeout.TotalSeconds:0} s; see the member logs in {_root}");
            }

            await Task.Delay(HealthPoll, _time, cancellationToken);
        }
    }

    private async Task<bool> HealthyAsync(Member member, CancellationToken cancellationToken)
    {
        try
        {
            var health = await _http.GetStringAsync(new Uri(member.ClientUrl + "/health"), cancellationToken);
            return JsonNode.Parse(health)?["health"]?.GetValue<string>() == "true";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>The member that leads etcd, from its gRPC gateway's maintenance status (etcdctl endpoint status).</summary>
    private async Task<Member?> LeaderAsync(CancellationToken cancellationToken)
    {
        foreach (var member in _members.Where(m => m.Process is not null))
        {
            try
            {
                using var body = new StringContent("{}", Encoding.UTF8, "application/json");
                using var answer = await _http.PostAsync(new Uri(member.ClientUrl + "/v3/maintenance/status"), body, cancellationToken);
                var status = JsonNode.Parse(await answer.Content.ReadAsStringAsync(cancellationToken));
                var self = status?["header"]?["member_id"]?.ToString();
                var leader = status?["leader"]?.ToString();
                if (self is not null && self == leader)
                {
                    return member;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException or SocketException)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return null;
    }

    /// <summary>The member log's last line (etcd says why it stopped there), for a one-line error.</summary>
    private string LastLine(Member member)
    {
        var path = Path.Combine(_root, member.Name + ".log");
        try
        {
            return File.ReadLines(path).LastOrDefault(l => l.Length > 0) ?? $"nothing in {path}";
        }
        catch (IOException)
        {
            return $"see {path}";
        }
    }

    private sealed class Member(string name, int clientPort, int peerPort, string dataDir)
    {
        public string Name => name;

        /// <summary>Fixed once the cluster runs: a restarted member and every knd's proxy use the same one.</summary>
        public int ClientPort { get; set; } = clientPort;

        public int PeerPort { get; set; } = peerPort;

        public string ClientUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ClientPort}");

        public string PeerUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{PeerPort}");

        public string DataDir => dataDir;

        public Process? Process { get; set; }

        public StreamWriter? Log { get; set; }
    }
}
