using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
using Knd.Maintenance;
using Knd.Metrics;
using Knd.Neard;
using Knd.Supervision;
using Knd.Switchover;

namespace Knd.Hosting;

/// <summary>The daemon's object graph: one place that says which part gets which collaborator.</summary>
internal static class KndServices
{
    public static void Add(IServiceCollection services, KndRunOptions options, FailoverTimings timings, SupervisorStatus status, ConsulTokenFile tokenFile, bool watchdogEnabled)
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
        services.AddSingleton(sp => new NeardProcessLauncher(Logger(sp, "Knd.Neard"), time, timings.NeardKillConfirmTimeout));
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
            sp.GetRequiredService<ILogger<NeardDriver>>()));
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
        services.AddSingleton<SupervisorService>();
        services.AddHostedService(sp => sp.GetRequiredService<SupervisorService>());
        services.AddHostedService<SwitchoverCoordinator>();
        services.AddSingleton(sp => new MaintenanceCoordinator(options.AccountId, status, sp.GetRequiredService<SupervisorService>()));
        services.AddSingleton<ISupervisorControl, DaemonControl>();
    }

    private static ILogger Logger(IServiceProvider services, string category) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
}
