using System.Diagnostics;
using Knd.Interop;

namespace Knd.IntegrationTests.Infrastructure;

public enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>
/// A child process for black-box tests: started with arguments and environment, its stdout and
/// stderr captured line by line, waited on with deadlines, signalled with kill(2), and killed with
/// its whole process tree on dispose, whatever state the test left it in.
/// </summary>
public sealed class TestProcess : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly Process _process;
    private readonly List<(OutputStream Stream, string Line)> _lines = [];

    private TestProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines => Lines(OutputStream.Stdout);

    public IReadOnlyList<string> StderrLines => Lines(OutputStream.Stderr);

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> (no shell). <paramref name="environment"/>
    /// sets variables over the inherited ones; a null value removes one.
    /// </summary>
    public static TestProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var wrapper = new TestProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Add(OutputStream.Stdout, e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Add(OutputStream.Stderr, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {fileName}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>
    /// Waits for the first line (already received or coming) on <paramref name="stream"/> that matches.
    /// Throws <see cref="TimeoutException"/>, with all output so far, on the deadline or if the process exits first.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, OutputStream stream = OutputStream.Stdout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var exited = _process.HasExited;
            if (Lines(stream).FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            if (exited)
            {
                // Output may still be draining after exit: one last look once it has.
                await _process.WaitForExitAsync();
                return Lines(stream).FirstOrDefault(predicate)
                    ?? throw new TimeoutException($"process {Pid} exited with {_process.ExitCode} before printing the expected line.\n{Describe()}");
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"no matching line from process {Pid} within {timeout.TotalSeconds:0.#} s.\n{Describe()}");
            }

            await Task.Delay(Poll, TimeProvider.System, CancellationToken.None);
        }
    }

    /// <summary>Waits for exit and returns the exit code; throws <see cref="TimeoutException"/> (process left running for dispose to kill).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Pid} did not exit within {timeout.TotalSeconds:0.#} s.\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a signal (e.g. <see cref="Libc.SigTerm"/>); false if the process is already gone.</summary>
    public bool Signal(int signal) => Libc.Kill(Pid, signal);

    /// <summary>Everything the process printed, for assertion messages.</summary>
    public string Describe()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Select(l => (l.Stream == OutputStream.Stdout ? "out| " : "err| ") + l.Line));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        catch (OperationCanceledException)
        {
            // Kill did not complete in time; nothing more can be done from here.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private IReadOnlyList<string> Lines(OutputStream stream)
    {
        lock (_lines)
        {
            return _lines.Where(l => l.Stream == stream).Select(l => l.Line).ToList();
        }
    }

    private void Add(OutputStream stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add((stream, line));
        }
    }
}
