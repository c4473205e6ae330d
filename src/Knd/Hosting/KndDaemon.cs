using System.Runtime.InteropServices;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
using Knd.Http;
using Knd.Logging;
using Knd.Neard;
using Knd.Supervision;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Serilog;

namespace Knd.Hosting;

/// <summary>Composes and runs the daemon: logging, the Consul client, neard, the supervisor, the HTTP endpoints.</summary>
internal static class KndDaemon
{
    public static async Task<int> RunAsync(KndRunOptions options, FailoverTimings timings, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        await using var serilog = KndLogging.CreateLogger(options.LogFormat, options.LogDir, Environment.GetEnvironmentVariable);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "knd", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(serilog);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.ExporterAddress));
        builder.Services.Configure<HostOptions>(host =>
        {
            // The supervisor's own shutdown (stop neard, release, destroy) is bounded well below this.
            host.ShutdownTimeout = timings.FenceBound + TimeSpan.FromSeconds(15);
        });

        var clock = new MonotonicClock(TimeProvider.System);
        var status = new SupervisorStatus(clock, options.NodeId, options.AccountId);
        var tokenFile = new ConsulTokenFile(options.ConsulTokenFile);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(timings);
        builder.Services.AddSingleton(status);
        builder.Services.AddSingleton(tokenFile);
        builder.Services.AddSingleton(new ClusterState(new ClusterKeys(options.LockKey)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IConsulClient>(sp => new ConsulClient(
            new ConsulClientOptions
            {
                BaseAddress = options.ConsulUrl,
                RequestTimeout = timings.ConsulRequestTimeout,
                TokenProvider = () => tokenFile.Token,
                ClientNodeId = options.NodeId,
            },
            ConsulClient.CreateHttpClient(timings.ConsulRequestTimeout),
            TimeProvider.System,
            sp.GetRequiredService<ILogger<ConsulClient>>()));
        builder.Services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Neard");
            return new NeardProcessLauncher(logger, TimeProvider.System, timings.NeardKillConfirmTimeout);
        });
        builder.Services.AddSingleton(sp => new NeardHome(options.NeardHome, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Neard")));
        builder.Services.AddSingleton<Func<Action<SupervisorEvent>, NeardDriver>>(sp => post => new NeardDriver(
            options,
            timings,
            sp.GetRequiredService<NeardProcessLauncher>(),
            sp.GetRequiredService<NeardHome>(),
            endpoint => new NeardRpcClient(endpoint, timings.NeardRpcTimeout, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Neard")),
            post,
            TimeProvider.System,
            sp.GetRequiredService<ILogger<NeardDriver>>()));
        builder.Services.AddSingleton<Func<Action<SupervisorEvent>, ConsulDriver>>(sp => post => new ConsulDriver(
            options,
            timings,
            sp.GetRequiredService<IConsulClient>(),
            sp.GetRequiredService<ClusterState>(),
            clock,
            post,
            sp.GetRequiredService<ILogger<ConsulDriver>>()));
        builder.Services.AddSingleton<SupervisorService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SupervisorService>());
        builder.Services.AddHostedService<SwitchoverCoordinator>();
        builder.Services.AddSingleton(sp => new MaintenanceCoordinator(options.AccountId, status, sp.GetRequiredService<SupervisorService>(), MaintenanceChooser.Choose));
        builder.Services.AddSingleton<ISupervisorControl, DaemonControl>();

        await using var app = builder.Build();
        ExporterEndpoints.Map(app, status, timings.SessionTtl);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Hosting");
        foreach (var warning in warnings)
        {
            logger.ConfigurationWarning(warning);
        }

        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            if (tokenFile.Reload() is { } error)
            {
                logger.ReloadFailed(error);
            }
            else
            {
                logger.Reloaded();
            }
        });

        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            logger.ExporterListening(address);
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return app.Services.GetRequiredService<SupervisorService>().ExitCode;
    }
}
