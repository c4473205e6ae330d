using System.Diagnostics;
using System.Text;
using Knd.Interop;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.NeardSim;

/// <summary>A running neard-sim for these tests: output captured, signals, killed on dispose.</summary>
internal sealed class SimProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SimProcess(Process process, long startedAt)
    {
        _process = process;
        StartedAt = startedAt;
    }

    public static string BinaryPath => Path.Combine(AppContext.BaseDirectory, "neard-sim");

    public int Pid => _process.Id;

    /// <summary>TimeProvider.System timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    public DateTimeOffset StartedAtWallClock { get; private init; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static SimProcess Start(NeardSimHome home, string? ledgerPath = null, string? bootNodes = null) =>
        StartWithArguments(["--home", home.Dir, "run", .. bootNodes is null ? Array.Empty<string>() : ["--boot-nodes", bootNodes]], ledgerPath);

    public static SimProcess StartWithArguments(IReadOnlyList<string> arguments, string? ledgerPath = null)
    {
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("NEAR_HOME");
        info.Environment.Remove("NEARD_SIM_LEDGER");
        if (ledgerPath is not null)
        {
            info.Environment["NEARD_SIM_LEDGER"] = ledgerPath;
        }

        var wallClock = TimeProvider.System.GetUtcNow();
        var startedAt = TimeProvider.System.GetTimestamp();
        var process = new Process { StartInfo = info };
        var sim = new SimProcess(process, startedAt) { StartedAtWallClock = wallClock };
        process.OutputDataReceived += (_, e) => sim.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sim.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sim;
    }

    public TimeSpan SinceStart => TimeProvider.System.GetElapsedTime(StartedAt);

    public bool Signal(int signal) => Libc.Kill(Pid, signal);

    /// <summary>The exit code; fails the test with the captured output if the process outlives <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"neard-sim {Pid} still running after {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(Libc.SigKill);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
