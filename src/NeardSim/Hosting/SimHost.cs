using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;
using NeardSim.Chain;
using NeardSim.Cli;
using NeardSim.Faults;
using NeardSim.Home;
using NeardSim.Node;
using NeardSim.Rpc;
using NeardSim.Signing;

namespace NeardSim.Hosting;

/// <summary>Loads the home, serves RPC, runs the signing and fault loops, and ends on the first exit request.</summary>
internal static class SimHost
{
    public const string LedgerEnvironmentVariable = "NEARD_SIM_LEDGER";

    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(2);

    /// <summary><paramref name="rpcAddrOverride"/> is <c>run --rpc-addr</c>: it wins over config.json's rpc.addr.</summary>
    public static async Task<int> RunAsync(string homeDir, string? bootNodes, string? rpcAddrOverride = null, int catchUpAfterSwapBlocks = NodeState.DefaultCatchUpAfterSwapBlocks)
    {
        var time = TimeProvider.System;
        var home = new NearHome(homeDir);
        HomeSnapshot snapshot;
        try
        {
            snapshot = home.LoadAll();
        }
        catch (HomeFileException e)
        {
            await Console.Error.WriteLineAsync($"neard-sim: cannot load home {home.Dir}: {e.Message}");
            return ExitCodes.Failed;
        }

        var state = new NodeState(home, snapshot, bootNodes, time, catchUpAfterSwapBlocks);
        var ledgerPath = Environment.GetEnvironmentVariable(LedgerEnvironmentVariable) is { Length: > 0 } fromEnv
            ? Path.GetFullPath(fromEnv)
            : home.File("signed.jsonl");
        var rpcAddrText = rpcAddrOverride ?? snapshot.Config.RpcAddr;
        _ = HostPort.TryParse(rpcAddrText, out var rpcAddr);

        await using var app = BuildApp(rpcAddr);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("NeardSim");
        var genesis = snapshot.Genesis;
        var clock = new ChainClock(genesis.GenesisTime, genesis.BlockIntervalMs, genesis.EpochLength, time);
        var duties = new DutySchedule(genesis.DutySeed, genesis.DutyPercent);
        var exit = new ExitController();
        var faults = new FaultState(state.Sim.RpcHang, configNoSign: !state.Sim.Sign);
        var views = new NodeViews(state, clock, duties, new LedgerIndex(ledgerPath, genesis.EpochLength));
        var endpoints = new RpcEndpoints(views, state, faults, new JsonRpcHandler(new RpcMethods(views, state)), time);
        app.Run(endpoints.HandleAsync);

        var reloader = new ConfigReloader(state, loggers.CreateLogger<ConfigReloader>());
        using var signals = new SignalHandlers(exit, reloader, state.Sim.IgnoreSigtermMs, time, logger);
        logger.Starting(home.Dir, genesis.ChainId, Environment.ProcessId, snapshot.ValidatorKey?.AccountId ?? "none",
            ledgerPath, bootNodes ?? "none");
        logger.StartupDelays(state.Sim.SyncMs, state.Sim.StartupMs);

        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            logger.ListenFailed(rpcAddrText, e.Message);
            return ExitCodes.Failed;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault() ?? $"http://{rpcAddrText}";
        views.RpcAddr = bound.Replace("http://", "", StringComparison.Ordinal);
        logger.Listening(bound);
        await Console.Out.WriteLineAsync($"neard-sim ready rpc={bound} pid={Environment.ProcessId}");
        await Console.Out.FlushAsync();

        using var loops = new CancellationTokenSource();
        var signing = new SigningLoop(state, clock, duties, ledgerPath, exit, faults, time, loggers.CreateLogger<SigningLoop>())
            .RunAsync(loops.Token);
        var poller = new FaultPoller(state, faults, exit, time, loggers.CreateLogger<FaultPoller>()).RunAsync(loops.Token);

        var request = await exit.Requested;
        logger.Exiting(request.ExitCode, request.Reason);

        // Stop signing before anything else: nothing may be signed once the exit is decided.
        await loops.CancelAsync();
        await Task.WhenAll(signing, poller);
        using var stopTimeout = new CancellationTokenSource(request.Immediate ? TimeSpan.Zero : GracefulStopTimeout, time);
        await app.StopAsync(stopTimeout.Token);
        return request.ExitCode;
    }

    private static WebApplication BuildApp(HostPort rpcAddr)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "neard-sim" });
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            // A bind failure is reported once, in one line, by the sim itself.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (IPAddress.TryParse(rpcAddr.Host, out var ip))
            {
                kestrel.Listen(ip, rpcAddr.Port);
            }
            else if (rpcAddr.Host == "localhost")
            {
                kestrel.ListenLocalhost(rpcAddr.Port);
            }
            else
            {
                kestrel.Listen(Dns.GetHostAddresses(rpcAddr.Host)[0], rpcAddr.Port);
            }
        });
        return builder.Build();
    }
}
