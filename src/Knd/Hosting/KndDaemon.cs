using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
using Knd.Etcd;
using Knd.Http;
using Knd.Interop;
using Knd.Logging;
using Knd.Metrics;
using Knd.Peers;
using Knd.Supervision;
using Knd.Systemd;
using Serilog;

namespace Knd.Hosting;

/// <summary>Runs the daemon: logging, the exporter and control socket on Kestrel, the supervisor, systemd notify.</summary>
internal static class KndDaemon
{
    /// <summary>
    /// Pool threads the runtime hands out at once before it starts adding one about every 500 ms.
    /// Its default is the core count (2 on a small validator host); library code that blocks a pool
    /// thread for a moment (seen with the etcd client's gRPC balancer on a loaded two-core host) then
    /// left the supervision loop's next step queued behind the injection delay, past a 0.9 s
    /// watchdog. Threads are still created only when needed.
    /// </summary>
    private const int MinPoolThreads = 8;

    public static async Task<int> RunAsync(KndRunOptions options, FailoverTimings timings, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolThreads), completionPorts);

        // Before anything else: a second knd on this home would kill this one's neard as a stray.
        using var homeLock = HomeLock.TryAcquire(options.NeardHome, out var homeLockError);
        if (homeLock is null)
        {
            await Console.Error.WriteLineAsync($"knd run: --neard-home: {homeLockError}");
            return ExitCodes.Config;
        }

        if (StartupChecks.FirstProblem(options, Environment.GetEnvironmentVariable("PATH")) is { } problem)
        {
            await Console.Error.WriteLineAsync($"knd run: {problem}");
            return ExitCodes.Config;
        }

        await using var serilog = KndLogging.CreateLogger(options.LogFormat, options.LogDir, Environment.GetEnvironmentVariable);
        using var loggerFactory = new Serilog.Extensions.Logging.SerilogLoggerFactory(serilog);

        // Before anything starts: the notifier takes NOTIFY_SOCKET out of the environment so neard
        // cannot inherit it (and keep a frozen knd's watchdog fed), and a bad socket fails first.
        using var notifier = SystemdNotifier.FromProcess(loggerFactory.CreateLogger("Knd.Systemd"));
        if (timings.CheckWatchdog(notifier.WatchdogInterval) is { } watchdogError)
        {
            await Console.Error.WriteLineAsync($"knd run: --session-ttl: {watchdogError}");
            return ExitCodes.Config;
        }

        // knd's own SIGHUP handling cannot undo an inherited SIG_IGN for its children: a hot swap
        // would never reach neard, and every promotion would fail and demote again.
        if (options.Promotion == PromotionMode.HotSwap && SignalDisposition.IsIgnored(Libc.SigHup))
        {
            await Console.Error.WriteLineAsync("knd run: --promotion hot-swap: SIGHUP is ignored in knd's process (started under nohup?) and neard would inherit that, so it would never load the validator key; start knd without nohup (systemd does) or use --promotion restart");
            return ExitCodes.Config;
        }

        TcpListenSocket exporterSocket;
        try
        {
            exporterSocket = TcpListenSocket.Bind(options.ExporterAddress);
        }
        catch (ListenException e)
        {
            await Console.Error.WriteLineAsync($"knd run: --exporter-address: {e.Message}");
            return ExitCodes.Config;
        }

        using var exporter = exporterSocket;
        ControlSocket controlSocket;
        try
        {
            controlSocket = ControlSocket.Bind(options.ControlSocket, kuutamodAlias: true);
        }
        catch (ControlSocketException e)
        {
            await Console.Error.WriteLineAsync($"knd run: --control-socket: {e.Message}");
            return ExitCodes.Config;
        }

        using var socket = controlSocket;
        var peers = PreparePeers(options, out var peerError);
        if (peerError is not null)
        {
            await Console.Error.WriteLineAsync($"knd run: {peerError}");
            return ExitCodes.Config;
        }

        using var peerListener = peers?.Listener;

        // Only once nothing can fail the start: a failed start is one line on stderr.
        if (notifier.NoWatchdogReason is { } noWatchdog)
        {
            loggerFactory.CreateLogger("Knd.Systemd").WatchdogMissing(noWatchdog);
        }

        // As kuutamod: knd is less likely than neard (200) to be picked by the OOM killer.
        OomScore.TrySet(Environment.ProcessId, 100);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "knd", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(serilog, dispose: false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenHandle(exporter.Handle);
            ControlServer.Listen(kestrel, socket);
            if (peers is not null)
            {
                PeerServer.Listen(kestrel, peers.Listener);
            }
        });
        builder.Services.Configure<HostOptions>(host =>
        {
            host.ShutdownTimeout = timings.HostShutdownTimeout;
        });

        var status = new SupervisorStatus(new MonotonicClock(TimeProvider.System), options.NodeId, options.AccountId) { PeerRules = options.Peers };
        var tokenFile = new ConsulTokenFile(options.ConsulTokenFile);
        EtcdLockClient? etcd = null;
        if (options.Dcs == LockServiceKind.Etcd)
        {
            try
            {
                etcd = EtcdSetup.CreateClient(options, timings, loggerFactory.CreateLogger("Knd.Etcd"));
            }
            catch (EtcdConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"knd run: {e.Message}");
                return ExitCodes.Config;
            }
        }

        using var etcdClient = etcd;
        if (etcd is not null)
        {
            await WarmUpAsync(etcd, timings, cancellationToken);
        }

        KndServices.Add(builder.Services, options, timings, status, tokenFile, watchdogEnabled: notifier.WatchdogInterval is not null, peers, etcd);

        await using var app = builder.Build();
        ExporterEndpoints.Map(app, status, timings.SessionTtl);
        MetricsEndpoint.Map(app, app.Services.GetRequiredService<KndMetrics>());
        ControlServer.Map(app, socket, status, app.Services.GetRequiredService<ISupervisorControl>());
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Hosting");
        if (peers is not null && app.Services.GetRequiredService<SupervisorService>().Peers is PeerNode peerNode)
        {
            PeerServer.Map(app, peers.Listener, peerNode.Inbox);
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Peers")
                .PeerListening(peers.Listener.Bound.ToString(), peerNode.Advertised, options.Peers.FastFailover, options.Peers.Failsafe);
        }

        foreach (var warning in warnings)
        {
            logger.ConfigurationWarning(warning);
        }

        using var reloadSignals = ReloadSignals.Register(tokenFile, logger, peers is null ? null : () =>
        {
            var peerLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Peers");
            if (peers.Secret.Reload() is { } secretError)
            {
                peerLogger.SecretReloadFailed(secretError);
            }
            else
            {
                peerLogger.SecretReloaded();
            }
        });

        using var pingerStop = new CancellationTokenSource();
        var pinging = new WatchdogPinger(notifier, status, TimeProvider.System, loggerFactory.CreateLogger("Knd.Systemd"), timings).RunAsync(pingerStop.Token);
        await app.StartAsync(cancellationToken);
        logger.ExporterListening($"http://{exporter.LocalEndPoint}");

        // Ready once the loop has finished its first tick, or the daemon is already stopping.
        try
        {
            await status.FirstTick.WaitAsync(app.Lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }

        notifier.Ready();
        using var stopping = app.Lifetime.ApplicationStopping.Register(() => notifier.Stopping());
        await app.WaitForShutdownAsync(cancellationToken);

        // The loop keeps ticking (and the watchdog fed) while it demotes during shutdown; stop pinging only now.
        await pingerStop.CancelAsync();
        await pinging;
        return app.Services.GetRequiredService<SupervisorService>().ExitCode;
    }

    /// <summary>
    /// Reads the cluster secret and binds the peer listener, before anything starts. Null with a null
    /// <paramref name="error"/> when this knd runs no peer channel; null with an error (one line naming
    /// the option) when it cannot.
    /// </summary>
    private static PeerSetup? PreparePeers(KndRunOptions options, out string? error)
    {
        error = null;
        if (options.PeerAddress is not { } address || options.ClusterSecretFile is not { } secretFile)
        {
            return null;
        }

        if (ClusterSecret.TryRead(secretFile, out var problem) is not { } secret)
        {
            error = $"--cluster-secret-file: {ValueText.Quote(secretFile)} {problem}";
            return null;
        }

        try
        {
            return new PeerSetup(secret, PeerListener.Bind(address, options.PeerAdvertiseAddress));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            error = $"--peer-address: cannot listen on {address}: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// One bounded read of the lock key before the supervision loop starts: the first gRPC call
    /// JIT-compiles the client's HTTP/2 stack (over a second on a loaded two-core host, seen stalling
    /// the first ticks past a 0.9 s watchdog). Paid here, it comes before READY=1 arms the watchdog,
    /// as the Consul side's stale-leader reaper does its first requests. A failure is the loop's to see.
    /// </summary>
    private static async Task WarmUpAsync(EtcdLockClient etcd, FailoverTimings timings, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timings.ConsulRequestTimeout);
        try
        {
            await etcd.CheckReachableAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
