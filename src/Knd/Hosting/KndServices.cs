using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
using Knd.Etcd;
using Knd.Hooks;
using Knd.Maintenance;
using Knd.Metrics;
using Knd.Neard;
using Knd.Production;
using Knd.Peers;
using Knd.Supervision;
using Knd.Switchover;

namespace Knd.Hosting;

/// <summary>The daemon's object graph: one place that says which part gets which collaborator.</summary>
internal static class KndServices
{
    /// <summary>
    /// Registers every part; <paramref name="peers"/> is the cluster secret and the bound peer listener, or null when this knd
    /// runs no peer channel; <paramref name="etcd"/> is the etcd client when the daemon runs with <c>--dcs etcd</c> (built by the
    /// caller, which turns a bad TLS file into exit 78).
    /// </summary>
    public static void Add(IServiceCollection services, KndRunOptions options, FailoverTimings timings, SupervisorStatus status, ConsulTokenFile tokenFile, bool watchdogEnabled, PeerSetup? peers = null, EtcdLockClient? etcd = null)
    {
        var time = TimeProvider.System;
        services.AddSingleton(options);
        services.AddSingleton(timings);
        services.AddSingleton(status);
        services.AddSingleton(tokenFile);
        services.AddSingleton(time);
        services.AddSingleton(new ClusterState(new ClusterKeys(options.LockKey)));
        services.AddSingleton(sp => new KndMetrics(status, KndMetrics.BuildVersion, Logger(sp, "Knd.Metrics")) { WatchdogEnabled = watchdogEnabled });
        services.AddSingleton<IConsulClient>(sp => new ConsulClient(
            new ConsulClientOptions
            {
                BaseAddress = options.ConsulUrl,
                RequestTimeout = timings.ConsulRequestTimeout,
                TokenProvider = () => tokenFile.Token,
                ClientNodeId = options.NodeId,
                RequestObserver = sp.GetRequiredService<KndMetrics>().ObserveConsulRequest,
            },
            ConsulClient.CreateHttpClient(timings.ConsulRequestTimeout),
            time,
            sp.GetRequiredService<ILogger<ConsulClient>>()));
        services.AddSingleton(sp => new NeardProcessLauncher(Logger(sp, "Knd.Neard"), time, timings.NeardKillConfirmTimeout, neardLogger: Logger(sp, NeardOutput.Category), timings: timings));
        services.AddSingleton(sp => new NeardHome(options.NeardHome, Logger(sp, "Knd.Neard")) { TrackingPrepared = tracking => status.Tracking = tracking });
        services.AddSingleton<Func<Action<SupervisorEvent>, NeardDriver>>(sp => post => new NeardDriver(
            options,
            timings,
            sp.GetRequiredService<NeardProcessLauncher>(),
            sp.GetRequiredService<NeardHome>(),
            endpoint => new NeardRpcClient(endpoint, timings.NeardRpcTimeout, time, Logger(sp, "Knd.Neard")),
            post,
            sp.GetRequiredService<KndMetrics>().ObserveNeardRpcError,
            time,
            sp.GetRequiredService<ILogger<NeardDriver>>(),
            chainObserver: new ChainObserver(
                options.AccountId,
                time,
                post,
                status.Production,
                () => status.Snapshot?.LeaderNodeId,
                sp.GetRequiredService<KndMetrics>().ObserveNeardRpcError,
                Logger(sp, "Knd.Production"),
                () => status.Snapshot?.IsLeader == true)));
        if (etcd is not null)
        {
            AddEtcd(services, options, timings, status, etcd);
        }
        else
        {
            AddConsul(services, options, timings, status, time);
        }

        // The peer channel runs on Consul only (the options refuse it with --dcs etcd): a member asks
        // Consul whether it can reach it before it promises.
        services.AddSingleton<Func<Action<SupervisorEvent>, IPeerLink?>>(sp => post => peers is null ? null : PeerNode.Create(
            options.NodeId,
            options.Peers,
            timings,
            peers.Secret,
            peers.Listener.Advertised.ToString(),
            sp.GetRequiredService<IConsulClient>(),
            sp.GetRequiredService<ClusterState>(),
            status,
            post,
            sp.GetRequiredService<KndMetrics>().ObservePeerRequest,
            sp.GetRequiredService<KndMetrics>().ObservePeerRejection,
            time,
            Logger(sp, "Knd.Peers")));
        services.AddSingleton(sp => new SupervisorService(
            options,
            timings,
            status,
            sp.GetRequiredService<Func<Action<SupervisorEvent>, NeardDriver>>(),
            sp.GetRequiredService<Func<Action<SupervisorEvent>, ILockServiceDriver>>(),
            sp.GetService<StaleLeaderReaper>(),
            sp.GetRequiredService<ClusterState>(),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<SupervisorService>>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<Func<Action<SupervisorEvent>, IPeerLink?>>(),
            post => options.Hooks.OnRoleChange is null && options.Hooks.PrePromote is null ? null : new HookDispatcher(
                new ProcessHookRunner(time, Logger(sp, "Knd.Hooks"), timings: timings),
                options.Hooks,
                options.NodeId,
                options.AccountId,
                post,
                sp.GetRequiredService<KndMetrics>().ObserveHook,
                Logger(sp, "Knd.Hooks"),
                timings)));
        services.AddHostedService(sp => sp.GetRequiredService<SupervisorService>());
        services.AddSingleton<ISupervisorInbox>(sp => sp.GetRequiredService<SupervisorService>());
        services.AddSingleton<INeardControl>(sp => sp.GetRequiredService<SupervisorService>().Neard);
        services.AddHostedService<SwitchoverCoordinator>();
        services.AddSingleton(sp => new MaintenanceCoordinator(options.AccountId, status, sp.GetRequiredService<ISupervisorInbox>(), sp.GetRequiredService<INeardControl>(), timings));
        services.AddSingleton<ISupervisorControl, DaemonControl>();
    }

    private static void AddConsul(IServiceCollection services, KndRunOptions options, FailoverTimings timings, SupervisorStatus status, TimeProvider time)
    {
        services.AddSingleton<IClusterStore>(sp => new ConsulClusterStore(options, sp.GetRequiredService<IConsulClient>()));
        services.AddSingleton<Func<Action<SupervisorEvent>, ILockServiceDriver>>(sp => post => new ConsulDriver(
            options,
            timings,
            sp.GetRequiredService<IConsulClient>(),
            sp.GetRequiredService<ClusterState>(),
            status.Clock,
            post,
            sp.GetRequiredService<ILogger<ConsulDriver>>()));
        services.AddSingleton(sp => new StaleLeaderReaper(
            options,
            timings,
            sp.GetRequiredService<IConsulClient>(),
            new StrayNeardReaper(Logger(sp, "Knd.Neard"), time, timings: timings),
            sp.GetRequiredService<ILogger<StaleLeaderReaper>>()));
    }

    /// <summary>No stale-leader reaper on etcd: a dead process's lease expires within its TTL.</summary>
    private static void AddEtcd(IServiceCollection services, KndRunOptions options, FailoverTimings timings, SupervisorStatus status, EtcdLockClient etcd)
    {
        services.AddSingleton<IClusterStore>(new EtcdClusterStore(etcd));
        services.AddSingleton<Func<Action<SupervisorEvent>, ILockServiceDriver>>(sp => post => new EtcdDriver(
            options,
            timings,
            etcd,
            sp.GetRequiredService<ClusterState>(),
            status.Clock,
            post,
            Logger(sp, "Knd.Etcd")));
    }

    private static ILogger Logger(IServiceProvider services, string category) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
}

/// <summary>What the daemon prepared for the peer channel before anything started.</summary>
internal sealed record PeerSetup(ClusterSecret Secret, PeerListener Listener);
