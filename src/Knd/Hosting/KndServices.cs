using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
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
    /// <summary>Registers every part; <c>peers</c> is the cluster secret and the bound peer listener, or null when this knd runs no peer channel.</summary>
    public static void Add(IServiceCollection services, KndRunOptions options, FailoverTimings timings, SupervisorStatus status, ConsulTokenFile tokenFile, bool watchdogEnabled, PeerSetup? peers = null)
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
        services.AddSingleton(sp => new NeardProcessLauncher(Logger(sp, "Knd.Neard"), time, timings.NeardKillConfirmTimeout, neardLogger: Logger(sp, NeardOutput.Category)));
        services.AddSingleton(sp => new NeardHome(options.NeardHome, Logger(sp, "Knd.Neard")));
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
                Logger(sp, "Knd.Production"))));
        services.AddSingleton<Func<Action<SupervisorEvent>, ConsulDriver>>(sp => post => new ConsulDriver(
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
            new StrayNeardReaper(Logger(sp, "Knd.Neard"), time),
            sp.GetRequiredService<ILogger<StaleLeaderReaper>>()));
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
        services.AddSingleton<SupervisorService>();
        services.AddHostedService(sp => sp.GetRequiredService<SupervisorService>());
        services.AddSingleton<ISupervisorInbox>(sp => sp.GetRequiredService<SupervisorService>());
        services.AddSingleton<INeardControl>(sp => sp.GetRequiredService<SupervisorService>().Neard);
        services.AddHostedService<SwitchoverCoordinator>();
        services.AddSingleton(sp => new MaintenanceCoordinator(options.AccountId, status, sp.GetRequiredService<ISupervisorInbox>(), sp.GetRequiredService<INeardControl>()));
        services.AddSingleton<ISupervisorControl, DaemonControl>();
    }

    private static ILogger Logger(IServiceProvider services, string category) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
}

/// <summary>What the daemon prepared for the peer channel before anything started.</summary>
internal sealed record PeerSetup(ClusterSecret Secret, PeerListener Listener);
