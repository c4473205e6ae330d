using System.CommandLine;
using System.Runtime.InteropServices;
using Knd.Localnet;

namespace Knd.Commands;

/// <summary><c>knd localnet</c>: the whole system on one machine, live or as the chaos benchmark.</summary>
internal static class LocalnetCommand
{
    /// <summary>128 + SIGINT, as a shell reports a command stopped by Ctrl-C.</summary>
    private const int InterruptedExitCode = 130;

    public static Command Create()
    {
        var nodes = new Option<string?>("--nodes") { HelpName = "N", Description = "How many validator hosts (default 3)." };
        var dir = new Option<string?>("--dir") { HelpName = "DIR", Description = "Where to put homes, keys, logs and the ledger; kept on exit (default: a temp dir, removed on exit)." };
        var killLeaderAfter = new Option<string?>("--kill-leader-after") { HelpName = "S", Description = "Live mode: SIGKILL the leader's host (knd and neard) after S seconds (or a duration such as 30s)." };
        var ttl = new Option<string?>("--session-ttl") { HelpName = "DURATION", Description = "knd's --session-ttl (default 10s); below 10s dev-consul's session_ttl_min is lowered to match." };
        var lockDelay = new Option<string?>("--lock-delay") { HelpName = "DURATION", Description = "knd's --lock-delay (default 5s)." };
        var promotion = new Option<string?>("--promotion") { HelpName = "restart|hot-swap", Description = "knd's --promotion (default hot-swap)." };
        var watchdog = new Option<string?>("--watchdog") { HelpName = "DURATION", Description = "WATCHDOG_USEC of the emulated service manager (default: derived from the TTL, at most 3s; 0 turns it off)." };
        var neardBin = new Option<string?>("--neard-bin") { HelpName = "PATH", Description = "The neard-sim binary (default: next to knd, else on PATH)." };
        var trials = new Option<string?>("--trials") { HelpName = "K", Description = "Chaos benchmark: inject the fault K times and measure each failover." };
        var fault = new Option<string?>("--fault") { HelpName = "KIND", Description = "Chaos benchmark fault: " + string.Join(", ", FaultKinds.All.Select(f => f.Name)) + "; a comma-separated list of them; or all." };
        var fastFailover = new Option<bool>("--fast-failover") { Description = "Every knd runs --fast-failover over a peer channel (docs/peer-channel.md); the lock-delay defaults to knd's: the fence bound + 0.5s." };
        var leaderSilence = new Option<string?>("--leader-silence") { HelpName = "DURATION", Description = "With --fast-failover: every knd's --leader-silence (default 2s), how long a leader may go without a heartbeat or a renewal before the passives destroy its session." };
        var failsafe = new Option<bool>("--failsafe") { Description = "Every knd runs --failsafe over a peer channel: the leader signs through a Consul outage while every member promises." };
        var consulOutage = new Option<string?>("--consul-outage") { HelpName = "DURATION", Description = "consul-down, consul-leader-down, consul-down-kill-leader: how long Consul stays out (default 60s)." };
        var dcs = new Option<string?>("--dcs") { HelpName = "consul|etcd", Description = "The coordination service: an in-process dev-consul (default), or three real etcd members (Debian's etcd-server) with every knd on --dcs etcd." };
        var chunkOnly = new Option<bool>("--chunk-only") { Description = "The validator account is a chunk-only producer (neard-sim's sim.chunk_only_validators): it signs chunks and no blocks, so the production watch and the doppelganger guard judge its chunks." };
        var json = new Option<string?>("--json") { HelpName = "FILE", Description = "Chaos benchmark: write the results as JSON to FILE (an array when there is more than one fault kind)." };
        var command = new Command("localnet", "Run dev-consul (or etcd), N neard-sims and N knd daemons on this machine, with a live view; or, with --trials, the chaos benchmark.")
        {
            nodes, dir, killLeaderAfter, ttl, lockDelay, promotion, watchdog, neardBin, trials, fault, json, fastFailover, leaderSilence, failsafe, consulOutage, dcs, chunkOnly,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var (options, error) = LocalnetArguments.Parse(
                parse.GetValue(nodes), parse.GetValue(dir), parse.GetValue(killLeaderAfter), parse.GetValue(ttl), parse.GetValue(lockDelay),
                parse.GetValue(promotion), parse.GetValue(watchdog), parse.GetValue(neardBin), parse.GetValue(trials), parse.GetValue(fault), parse.GetValue(json),
                parse.GetValue(fastFailover), parse.GetValue(failsafe), parse.GetValue(consulOutage), parse.GetValue(dcs), parse.GetValue(leaderSilence),
                parse.GetValue(chunkOnly));
            if (options is null)
            {
                Console.Error.WriteLine($"knd localnet: {error}");
                return Task.FromResult(ExitCodes.Usage);
            }

            return RunOnForegroundThreadAsync(options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(LocalnetOptions options, CancellationToken cancellationToken)
    {
        if (KndBinaries.NeardSim(options.NeardBin, out var problem) is not { } neardSim)
        {
            await Console.Error.WriteLineAsync($"knd localnet: {problem}");
            return ExitCodes.Failed;
        }

        if (options.OnEtcd && LocalEtcd.FindBinary(out var missing) is null)
        {
            await Console.Error.WriteLineAsync($"knd localnet: {missing}");
            return ExitCodes.Failed;
        }

        try
        {
            return options.IsBenchmark
                ? await new ChaosBenchmark(options, Console.Out, TimeProvider.System).RunAsync(neardSim, cancellationToken)
                : await new LiveMode(options, new LiveView(Console.Out, LiveView.StdoutIsTerminal(), TimeProvider.System), TimeProvider.System).RunAsync(neardSim, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how the live view ends; a benchmark cut short has no result.
            return options.IsBenchmark ? InterruptedExitCode : ExitCodes.Ok;
        }
        catch (Exception e) when (e is LocalnetException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"knd localnet: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Runs the localnet on a foreground thread. On Ctrl-C System.CommandLine stops waiting for an
    /// action after two seconds and lets Main return (exit code 130); stopping every knd in order
    /// takes longer, and the runtime does not exit while a foreground thread runs. Once the stop is
    /// done, the thread ends the process with the localnet's own exit code.
    /// </summary>
    private static Task<int> RunOnForegroundThreadAsync(LocalnetOptions options, CancellationToken interrupted)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // A closed terminal (SIGHUP) stops the localnet as Ctrl-C does, instead of killing it outright.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
                using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    stop.Cancel();
                });
                var code = RunAsync(options, stop.Token).GetAwaiter().GetResult();
                if (stop.IsCancellationRequested)
                {
                    Console.Out.Flush();
                    Environment.Exit(code);
                }

                done.SetResult(code);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = false,
            Name = "localnet",
        };
        thread.Start();
        return done.Task;
    }
}
