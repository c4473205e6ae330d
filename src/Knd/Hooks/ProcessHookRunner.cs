using System.ComponentModel;
using CliWrap;
using Knd.Interop;
using Knd.Neard;

namespace Knd.Hooks;

/// <summary>
/// Runs a hook as <c>setsid /bin/sh -c COMMAND</c> with CliWrap: the shell, because operators write
/// hooks as command lines (a script path with arguments, a pipe, <c>&amp;&amp;</c>) as in Patroni's callbacks,
/// and the command comes from knd's own configuration; the event is passed in the environment only,
/// never spliced into the command line, so nothing in it is parsed by the shell. setsid gives the hook a
/// process group of its own, which is killed as a whole (SIGKILL) at its timeout, children included.
/// Its output goes to knd's log line by line.
/// </summary>
internal sealed class ProcessHookRunner : IHookRunner
{
    private const int MaxLoggedLineLength = 1000;

    private readonly TimeProvider _time;
    private readonly TimeSpan _killedExitWait;
    private readonly ILogger _logger;
    private readonly string _shell;
    private readonly string? _setsid;
    private readonly Func<IReadOnlyList<string>> _strippedNames;

    /// <summary><paramref name="strippedNames"/>: the inherited variables to remove (knd's environment filtered by <see cref="HookEnvironment"/> when null).</summary>
    public ProcessHookRunner(TimeProvider time, ILogger logger, string shell = "/bin/sh", string? searchPath = null, Func<IReadOnlyList<string>>? strippedNames = null, FailoverTimings? timings = null)
    {
        _killedExitWait = (timings ?? FailoverTimings.Defaults).HookKilledExitWait;
        _time = time;
        _logger = logger;
        _shell = shell;
        _setsid = ExecutableResolver.Resolve("setsid", searchPath ?? Environment.GetEnvironmentVariable("PATH"));
        _strippedNames = strippedNames ?? (() => HookEnvironment.Stripped());
    }

    public async Task<HookResult> RunAsync(HookInvocation invocation, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (_setsid is null)
        {
            return new HookResult(HookOutcome.StartFailed, null, TimeSpan.Zero, "setsid (util-linux) is not on PATH");
        }

        var hook = HookName(invocation.Kind);
        var command = Cli.Wrap(_setsid)
            .WithArguments([_shell, "-c", invocation.Command])
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(PipeSource.Null)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => _logger.HookOutput(hook, Cap(line))))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => _logger.HookOutput(hook, Cap(line))))
            .WithEnvironmentVariables(env =>
            {
                foreach (var name in _strippedNames())
                {
                    // CliWrap removes a variable whose value is null.
                    env.Set(name, null);
                }

                foreach (var (name, value) in invocation.Variables)
                {
                    env.Set(name, value);
                }
            });

        CommandTask<CommandResult> execution;
        try
        {
            execution = command.ExecuteAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return new HookResult(HookOutcome.StartFailed, null, _time.GetElapsedTime(started), ex.Message);
        }

        var pid = execution.ProcessId;
        _logger.HookStarted(hook, pid, invocation.Timeout.TotalMilliseconds);
        using var timeout = new CancellationTokenSource(invocation.Timeout, _time);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await execution.Task.WaitAsync(bound.Token);
            return new HookResult(result.ExitCode == 0 ? HookOutcome.Ok : HookOutcome.Failed, result.ExitCode, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            Kill(pid);
            try
            {
                await execution.Task.WaitAsync(_killedExitWait, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // A grandchild that left the group holds the pipes; the hook itself is dead.
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new HookResult(HookOutcome.Timeout, null, _time.GetElapsedTime(started));
        }
    }

    /// <summary>The hook's name as the option and the metric label say it.</summary>
    public static string HookName(HookKind kind) => kind == HookKind.PrePromote ? "pre_promote" : "on_role_change";

    private static void Kill(int pid)
    {
        // setsid made the hook lead its own group (pgid == pid); the pid alone covers the instant before that.
        try
        {
            Libc.KillGroup(pid, Libc.SigKill);
        }
        catch (InvalidOperationException)
        {
            // Not a group of its own yet (or not ours to signal): the process itself is still killed below.
        }

        try
        {
            Libc.Kill(pid, Libc.SigKill);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string Cap(string line) => line.Length <= MaxLoggedLineLength ? line : line[..MaxLoggedLineLength] + "…";
}
