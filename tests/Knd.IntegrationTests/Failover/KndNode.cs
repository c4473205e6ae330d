using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;
using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.IntegrationTests.Failover;

/// <summary>One validator host of a test cluster: a neard-sim home, its credentials, and a real <c>knd run</c>.</summary>
internal sealed class KndNode : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<string> _arguments;
    private readonly Dictionary<string, string?> _environment;
    private int? _lastNeardPid;

    public KndNode(string nodeId, NeardSimHome home, List<string> arguments, Dictionary<string, string?> environment)
    {
        NodeId = nodeId;
        Home = home;
        _arguments = arguments;
        _environment = environment;
    }

    public string NodeId { get; }

    /// <summary>The <c>knd run</c> command line this node starts with (after the binary).</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The environment this node's knd gets on top of the test's.</summary>
    public IReadOnlyDictionary<string, string?> Environment => _environment;

    public NeardSimHome Home { get; }

    public required string CredentialsDir { get; init; }

    public string? TokenFile { get; init; }

    public required string ValidatorNetworkAddr { get; init; }

    public ChildProcess? Process { get; private set; }

    public Uri? Exporter { get; private set; }

    /// <summary>Every knd process this node ran, for the failure messages.</summary>
    public List<ChildProcess> History { get; } = [];

    public async Task StartAsync()
    {
        Process = ChildProcess.Start($"knd {NodeId}", ChildProcess.Binary("knd"), _arguments, _environment);
        History.Add(Process);
        const string Marker = "knd exporter listening on ";
        var line = await Process.WaitForLineAsync(l => l.Contains(Marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the exporter address");
        var url = System.Text.RegularExpressions.Regex.Match(line[line.IndexOf(Marker, StringComparison.Ordinal)..], @"http://[0-9.]+:\d+").Value;
        Exporter = new Uri(url + "/");
    }

    /// <summary>Starts knd through a wrapper command (such as <c>nohup</c>) without waiting for it to listen.</summary>
    public ChildProcess StartWrapped(string wrapper)
    {
        Process = ChildProcess.Start($"{wrapper} knd {NodeId}", wrapper, [ChildProcess.Binary("knd"), .. _arguments], _environment);
        History.Add(Process);
        return Process;
    }

    /// <summary>GET /status, or null when knd does not answer.</summary>
    public async Task<JsonObject?> StatusAsync()
    {
        if (Exporter is null || Process is null || Process.HasExited)
        {
            return null;
        }

        try
        {
            var status = await _http.GetFromJsonAsync<JsonObject>(new Uri(Exporter, "status"));
            if (status?["neard_pid"]?.GetValue<int>() is { } pid)
            {
                _lastNeardPid = pid;
            }

            return status;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<string?> StateAsync() => (await StatusAsync())?["state"]?.GetValue<string>();

    public async Task<bool> IsLeaderAsync() => (await StatusAsync())?["is_leader"]?.GetValue<bool>() == true;

    public async Task<int> HttpStatusAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(Exporter!, path));
        return (int)response.StatusCode;
    }

    /// <summary>The neard pid last reported by /status (still known after knd died).</summary>
    public int? LastNeardPid => _lastNeardPid;

    public void Signal(int signal) => Process?.Signal(signal);

    /// <summary>The whole host dies at once: knd and its neard are SIGKILLed together.</summary>
    public async Task KillHostAsync()
    {
        await StatusAsync();
        Process!.Signal(Libc.SigKill);
        if (_lastNeardPid is { } pid)
        {
            Libc.Kill(pid, Libc.SigKill);
        }

        await Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public bool NeardAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            // No such process, or reaped between opening and reading its stat (ESRCH): not alive.
            return false;
        }
    }

    public string ControlSocket => Path.Combine(Home.Dir, "knd.sock");

    /// <summary>Runs a control command (<c>knd status</c>, <c>knd switchover</c> ...) against this node's socket.</summary>
    public async Task<CliResult> CliAsync(params string[] arguments)
    {
        await using var cli = ChildProcess.Start($"knd {string.Join(' ', arguments)}", ChildProcess.Binary("knd"), [.. arguments, "--control-socket", ControlSocket]);
        var code = await cli.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return new CliResult(code, string.Join('\n', cli.StdoutLines), string.Join('\n', cli.Lines));
    }

    /// <summary>knd's last lines; neard-sim's per-height signing lines, which share its output, are left out so knd's own show.</summary>
    /// <summary>
    /// Every state change, warning and error of each knd run of this node (a failure's cause is often
    /// long before the last lines), then the last lines of each run.
    /// </summary>
    public string Diagnostics() =>
        $"--- {NodeId}: state changes, warnings and errors of knd ---\n"
        + string.Join('\n', History.SelectMany(p => p.Lines).Where(IsMilestone).TakeLast(60)) + "\n"
        + string.Join('\n', History.Select(p => p.Tail(80, line => !line.Contains("NeardSim.Signing.SigningLoop", StringComparison.Ordinal))));

    private static bool IsMilestone(string line) =>
        !line.Contains("] neard: ", StringComparison.Ordinal)
        && (line.Contains("SupervisorService: State ", StringComparison.Ordinal) || line.Contains("[WRN]", StringComparison.Ordinal) || line.Contains("[ERR]", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        foreach (var process in History)
        {
            await process.DisposeAsync();
        }

        if (_lastNeardPid is { } pid && NeardAlive(pid))
        {
            Libc.Kill(pid, Libc.SigKill);
        }

        await KillEscapedNeardsAsync();
        Home.Dispose();
    }

    /// <summary>
    /// A knd killed at the end of a test (SIGKILL, no stop) leaves a neard that left its process group
    /// (NeardWrapperTests' setsid wrapper) running: the parent-death signal reaches only the process
    /// knd forked, and under systemd the cgroup kill would take it. Here the home marker knd put in
    /// its environment finds it, as knd's own stray reaper would at its next start.
    /// </summary>
    private async Task KillEscapedNeardsAsync()
    {
        var reaper = new StrayNeardReaper(NullLogger.Instance, TimeProvider.System);
        try
        {
            await reaper.KillAsync(reaper.FindEscaped(Home.Dir, group: -1), TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (NeardStartException)
        {
            // Best effort: a cleanup must not hide the test's own outcome.
        }
    }
}

/// <summary>A finished CLI run: its exit code and everything it printed.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Output);
