using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Knd.Neard;

namespace Knd.Localnet;

/// <summary>
/// Starts the localnet's knd daemons as <c>setsid setpriv --pdeathsig KILL -- env --default-signal knd run ...</c>
/// (each execs in place, so the pid is knd's): in their own session, so a Ctrl-C in the terminal
/// reaches only the localnet, which stops them in order; bound to the localnet's life, so a killed
/// localnet takes its daemons (and, through knd's own parent-death signal, their neards) with it;
/// and with every signal at its default, as systemd starts a service (a localnet started under
/// nohup would otherwise pass an ignored SIGHUP down to neard-sim, which then misses hot swaps).
/// Linux ties the parent-death signal to the forking thread, so every child is forked from one
/// dedicated thread (as knd's neard launcher does).
/// </summary>
internal sealed class ChildLauncher : IDisposable
{
    private readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> _requests = [];
    private readonly string _setpriv;
    private readonly string? _setsid;
    private readonly string? _env;

    private ChildLauncher(string setpriv, string? setsid, string? env)
    {
        _setpriv = setpriv;
        _setsid = setsid;
        _env = env;
        new Thread(Run) { IsBackground = true, Name = "localnet-launcher" }.Start();
    }

    /// <summary>The launcher, or null with the reason when setpriv (util-linux) is missing.</summary>
    public static ChildLauncher? Create(out string? problem)
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        var setpriv = ExecutableResolver.Resolve("setpriv", path);
        problem = setpriv is null ? "setpriv (util-linux) is not on PATH; knd needs it to start neard, and the localnet to bind knd to its own life" : null;
        return setpriv is null ? null : new ChildLauncher(setpriv, ExecutableResolver.Resolve("setsid", path), EnvWithDefaultSignals(path));
    }

    /// <summary>coreutils env, if it has <c>--default-signal</c> (coreutils 8.31 and later).</summary>
    private static string? EnvWithDefaultSignals(string? path)
    {
        if (ExecutableResolver.Resolve("env", path) is not { } env)
        {
            return null;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo(env, ["--default-signal", "true"]) { UseShellExecute = false, RedirectStandardError = true });
            probe?.WaitForExit(TimeSpan.FromSeconds(5));
            return probe is { HasExited: true, ExitCode: 0 } ? env : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>A start info running <paramref name="fileName"/> with <paramref name="arguments"/> through setsid and setpriv.</summary>
    public ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments)
    {
        var command = new List<string>();
        if (_setsid is not null)
        {
            command.Add(_setsid);
        }

        command.AddRange([_setpriv, "--pdeathsig", "KILL", "--"]);
        if (_env is not null)
        {
            command.AddRange([_env, "--default-signal"]);
        }

        command.AddRange([fileName, .. arguments]);
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Starts <paramref name="process"/> (already configured) on the launcher thread.</summary>
    public Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((process, started));
        return started.Task;
    }

    public void Dispose() => _requests.CompleteAdding();

    private void Run()
    {
        foreach (var (process, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
