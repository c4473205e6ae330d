using System.Collections.Concurrent;
using System.Diagnostics;
using Knd.Interop;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// A real child process for a test: output captured line by line (stdout and stderr), waits with
/// deadlines, signals, and a SIGKILL on dispose so nothing outlives the test.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lineAdded = new(0);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    public Task<int> Exited => _exited.Task;

    /// <summary>Every line the process wrote so far, stdout and stderr interleaved as they arrived.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Only what the process wrote on stdout.</summary>
    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    /// <summary>Only what the process wrote on stderr.</summary>
    public IReadOnlyList<string> StderrLines => [.. _stderr];

    /// <summary>The binary next to the test assembly (knd, neard-sim).</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Tests must not inherit a developer's knd settings or a systemd journal.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("KND_", StringComparison.Ordinal) || k.StartsWith("KUUTAMO_", StringComparison.Ordinal) || k is "JOURNAL_STREAM" or "NOTIFY_SOCKET" or "CREDENTIALS_DIRECTORY").ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            // A null value removes the variable.
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child._stdout.Enqueue(e.Data);
            }

            child.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child._stderr.Enqueue(e.Data);
            }

            child.Add(e.Data);
        };
        process.Exited += (_, _) => child.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _lineAdded.Release();
        }
    }

    private void OnExited()
    {
        // WaitForExit() (no timeout) also drains the redirected output, so no line is lost.
        _process.WaitForExit();
        _exited.TrySetResult(_process.ExitCode);
        _lineAdded.Release();
    }

    /// <summary>Waits for a line matching <paramref name="predicate"/> (already written or still to come).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var match = _lines.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited (code {_exited.Task.Result}) before writing {what}.\n{Tail()}");
            }

            try
            {
                await _lineAdded.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} did not write {what} within {timeout.TotalSeconds:0.#} s.\n{Tail()}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout, TimeProvider.System));
        if (finished != _exited.Task)
        {
            throw new TimeoutException($"{Name} (pid {Pid}) did not exit within {timeout.TotalSeconds:0.#} s.\n{Tail()}");
        }

        return await _exited.Task;
    }

    public bool Signal(int signal) => !HasExited && Libc.Kill(Pid, signal);

    /// <summary>
    /// The last lines of output, for failure messages. neard-sim's line per signed block is left out
    /// but for the last one: at 100 ms blocks it would push every line of knd's own out of the tail.
    /// </summary>
    public string Tail(int count = 60)
    {
        var lines = Lines;
        var lastSigned = lines.LastOrDefault(IsSigningChatter);
        var kept = lines.Where(l => !IsSigningChatter(l)).TakeLast(count);
        var signed = lastSigned is null ? string.Empty : $"\n(signing lines left out; the last: {lastSigned})";
        return $"--- last output of {Name} ---\n" + string.Join('\n', kept) + signed;
    }

    private static bool IsSigningChatter(string line) => line.Contains("SigningLoop", StringComparison.Ordinal) && line.Contains("Signed block", StringComparison.Ordinal);

    /// <summary>The last lines that pass <paramref name="keep"/> (a knd's own lines without its neard's chatter, say).</summary>
    public string Tail(int count, Func<string, bool> keep) => $"--- last output of {Name} ---\n" + string.Join('\n', Lines.Where(keep).TakeLast(count));

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            // SIGCONT first: a test may have frozen it with SIGSTOP.
            Libc.Kill(Pid, Libc.SigCont);
            Libc.Kill(Pid, Libc.SigKill);
            await Task.WhenAny(_exited.Task, Task.Delay(TimeSpan.FromSeconds(10), TimeProvider.System));
        }

        _process.Dispose();
        _lineAdded.Dispose();
    }
}
