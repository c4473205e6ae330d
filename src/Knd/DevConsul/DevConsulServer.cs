using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.DevConsul;

/// <summary>
/// An in-memory, single-node Consul HTTP API on Kestrel, for tests and the localnet. Not Consul:
/// no persistence, no replication, one node, one token. Host it in-process with
/// <see cref="StartAsync"/>; <c>knd dev-consul</c> runs one until SIGINT/SIGTERM.
/// </summary>
internal sealed class DevConsulServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private bool _disposed;

    private DevConsulServer(WebApplication app, CancellationTokenSource stopping, DevApi api, Uri baseAddress)
    {
        _app = app;
        _stopping = stopping;
        Api = api;
        BaseAddress = baseAddress;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41234/</c> (the real port when 0 was asked for).</summary>
    public Uri BaseAddress { get; }

    public DevConsulOptions Options => Api.Options;

    /// <summary>The state, for tests that drive faults or inspect it directly.</summary>
    internal DevConsulStore Store => Api.Store;

    internal DevConsulFaults Faults => Api.Faults;

    /// <summary>The spoil rules (<c>/_dev/spoil</c>), for tests and the localnet's consul-garbage.</summary>
    internal AnswerSpoiler Spoiler => Api.Spoiler;

    private DevApi Api { get; }

    public static async Task<DevConsulServer> StartAsync(DevConsulOptions options, CancellationToken cancellationToken)
    {
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("Knd.DevConsul");

        // The empty builder reads no configuration files or environment and adds no console logger:
        // an embedded test server must not pick up settings from wherever it happens to run.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "knd-dev-consul" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Listen);
        });

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var store = new DevConsulStore(options, logger);
        var faults = new DevConsulFaults();
        foreach (var node in options.Blackholed)
        {
            faults.SetBlackhole(node, true);
        }

        var api = new DevApi(options, store, faults, LeaderAddress(options.Listen.Address), logger);
        var handler = new DevConsulHandler(api, stopping.Token);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            store.Dispose();
            stopping.Dispose();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.TrimEnd('/') + "/");
        logger.DevListening(baseAddress.GetLeftPart(UriPartial.Authority), options.NodeName, string.IsNullOrEmpty(options.AclToken) ? "off" : "on");
        return new DevConsulServer(app, stopping, api, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Release blocked and black-holed requests first, so Kestrel's drain finishes at once.
        await _stopping.CancelAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(deadline.Token);
        }

        Api.Store.Dispose();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>What <c>/v1/status/leader</c> reports: the server RPC port 8300 on the listen address.</summary>
    private static string LeaderAddress(IPAddress listen)
    {
        var address = listen.Equals(IPAddress.Any) ? IPAddress.Loopback : listen.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : listen;
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:8300" : $"{address}:8300";
    }

    /// <summary>The host neither waits for nor handles console signals: whoever embeds the server stops it.</summary>
    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
