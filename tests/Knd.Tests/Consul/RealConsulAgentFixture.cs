using System.Diagnostics;

namespace Knd.Tests.Consul;

/// <summary>
/// A real <c>consul agent -dev</c> on loopback with ACLs on (default deny, a known management
/// token), when a <c>consul</c> binary is on PATH; otherwise nothing (the tests are skipped).
/// </summary>
public sealed class RealConsulAgentFixture : ConsulTestFixture
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly string _token = Guid.NewGuid().ToString();
    private Process? _process;
    private Uri? _baseAddress;

    internal override Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("no consul binary on PATH");

    internal override string Token => _token;

    public override async Task InitializeAsync()
    {
        if (ConsulBinary.Path is not { } consul)
        {
            return;
        }

        var http = FreePort();
        _baseAddress = new Uri($"http://127.0.0.1:{http}/");
        var acl = $"acl {{ enabled = true\n default_policy = \"deny\"\n enable_token_persistence = false\n tokens {{ initial_management = \"{_token}\" }} }}";
        var start = new ProcessStartInfo(consul)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "agent", "-dev", "-node=knd-test-agent", "-bind=127.0.0.1", "-client=127.0.0.1",
            $"-http-port={http}", "-dns-port=-1", "-grpc-port=-1",
            $"-serf-lan-port={FreePort()}", $"-serf-wan-port={FreePort()}", $"-server-port={FreePort()}",
            "-hcl", acl,
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("consul did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when it has a leader and resolves the management token (ACL bootstrap is done).
        using var http2 = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"consul agent -dev exited with {_process.ExitCode}");
            }

            if (await IsReadyAsync(http2))
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(started) > StartLimit)
            {
                throw new TimeoutException("consul agent -dev was not ready within 60 s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None);
        }
    }

    public override async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            var leader = await http.GetStringAsync(new Uri(_baseAddress!, "v1/status/leader"));
            if (leader.Trim() is "\"\"" or "")
            {
                return false;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress!, "v1/agent/self"));
            request.Headers.Add("X-Consul-Token", _token);
            using var response = await http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A free port from below the kernel's ephemeral range (the agent needs fixed ports).</summary>
    private static int FreePort() => Knd.Localnet.FixedPorts.Next();
}
