using System.Diagnostics;

namespace Knd.Localnet;

/// <summary>The planned fault: <c>knd switchover --wait</c> through the leader's control socket.</summary>
internal sealed partial class FaultInjector
{
    /// <summary>A request knd refuses at once (exit 1) is asked again this often, as an operator would; each refusal is noted on the trial.</summary>
    private static readonly TimeSpan SwitchoverRetryDelay = TimeSpan.FromSeconds(2);

    private const int SwitchoverAttempts = 5;

    /// <summary>
    /// Starts the CLI and waits for the handover to begin (the leader stops leading), which knd
    /// delays until a duty-free window long enough for it: the failover is measured from there.
    /// </summary>
    private async Task SwitchoverAsync(Injection injection, CancellationToken cancellationToken)
    {
        try
        {
            await StartHandoverAsync(injection, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AbandonSwitchover(injection);
            throw;
        }
    }

    /// <summary>A benchmark stopped mid-trial must not leave a <c>knd switchover --wait</c> behind it.</summary>
    public static void AbandonSwitchover(Injection injection)
    {
        if (injection.Switchover is not { } process)
        {
            return;
        }

        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task StartHandoverAsync(Injection injection, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var process = StartSwitchover(injection);
        var attempts = 1;
        while (_time.GetElapsedTime(started) < HandoverStartTimeout)
        {
            var snapshot = await _poll(cancellationToken);
            if (snapshot.Node(injection.Leader.NodeId) is { Status: not null, IsLeader: false })
            {
                injection.MeasureFrom = snapshot.Time;
                injection.Notes.Add($"waited {(snapshot.Time - injection.InjectedAt).TotalSeconds:0.0} s for a duty-free window; measured from the handover");
                return;
            }

            if (process.HasExited)
            {
                var refusal = $"knd switchover exited with code {process.ExitCode} before the handover: {await ErrorTextAsync(process)}";
                process.Dispose();
                if (attempts == SwitchoverAttempts)
                {
                    injection.Switchover = null;
                    injection.Failure = refusal + $" ({attempts} attempts)";
                    return;
                }

                injection.Notes.Add($"attempt {attempts} refused ({refusal}); asked again {SwitchoverRetryDelay.TotalSeconds:0} s later");
                await Task.Delay(SwitchoverRetryDelay, _time, cancellationToken);
                process = StartSwitchover(injection);
                attempts++;
                continue;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
        }

        injection.Failure = $"the handover did not start within {HandoverStartTimeout.TotalSeconds:0} s of knd switchover";
    }

    private static Process StartSwitchover(Injection injection)
    {
        var (knd, prefix) = KndBinaries.Knd();
        var info = new ProcessStartInfo(knd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. prefix, "switchover", "--wait", "--control-socket", injection.Leader.Layout.ControlSocket])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new LocalnetException("could not start knd switchover");
        injection.Switchover = process;
        return process;
    }

    private async Task FinishSwitchoverAsync(Injection injection, CancellationToken cancellationToken)
    {
        if (injection.Switchover is not { } process)
        {
            return;
        }

        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                cancellationToken.ThrowIfCancellationRequested();
                injection.Failure ??= "knd switchover --wait did not finish within 30 s of the new leader signing";
                return;
            }

            if (process.ExitCode != 0)
            {
                injection.Failure ??= $"knd switchover exited with code {process.ExitCode}: {await ErrorTextAsync(process)}";
            }
        }
    }

    private static async Task<string> ErrorTextAsync(Process process)
    {
        var text = (await process.StandardError.ReadToEndAsync()).Trim();
        return text.Length == 0 ? (await process.StandardOutput.ReadToEndAsync()).Trim() : text.ReplaceLineEndings(" / ");
    }
}
