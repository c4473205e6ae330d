using System.Net;
using System.Net.Sockets;
using System.Text;
using Knd.Control;
using Knd.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Knd.IntegrationTests.Control;

/// <summary>
/// The control socket served the way the daemon serves it: one slim WebApplication with a TCP
/// listener carrying an exporter-like <c>/status</c> endpoint and the control socket, wired with
/// <see cref="ControlServer"/>, on a fake <see cref="ISupervisorControl"/>, in a temp dir.
/// </summary>
internal sealed class ControlTestServer : IAsyncDisposable
{
    public const string ExporterStatusText = "exporter status";

    private readonly WebApplication _app;
    private readonly ControlSocket _socket;
    private bool _stopped;

    private ControlTestServer(string directory, WebApplication app, ControlSocket socket, FakeSupervisorControl control, SupervisorStatus status, Uri tcp)
    {
        Directory = directory;
        _app = app;
        _socket = socket;
        Control = control;
        Status = status;
        TcpAddress = tcp;
    }

    public string Directory { get; }

    public string SocketPath => _socket.Path;

    public FakeSupervisorControl Control { get; }

    public SupervisorStatus Status { get; }

    public Uri TcpAddress { get; }

    /// <summary>kuutamod's socket next to knd's, when started with the alias (as <c>knd run</c> does).</summary>
    public string KuutamodSocketPath => Path.Combine(Directory, ControlSocket.KuutamodFileName);

    public static async Task<ControlTestServer> StartAsync(string? directory = null, bool kuutamodAlias = false, string socketName = "knd.sock")
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("kc").FullName;
        var socket = ControlSocket.Bind(Path.Combine(directory, socketName), kuutamodAlias);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "knd-control-test", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            ControlServer.Listen(kestrel, socket);
        });
        var app = builder.Build();
        var status = new SupervisorStatus(new MonotonicClock(new FrozenTime()), "node-a", "validator.near");
        var control = new FakeSupervisorControl();
        app.MapGet("/status", () => ExporterStatusText);
        ControlServer.Map(app, socket, status, control);
        await app.StartAsync();
        var tcp = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal));
        return new ControlTestServer(directory, app, socket, control, status, new Uri(tcp));
    }

    public void Publish(SupervisorState state, bool leader, int? neardPid, bool neardHealthy = true, ProductionView? production = null) =>
        Status.Publish(new SupervisorSnapshot(state, leader, leader ? "node-a" : "node-b", neardPid, 1000, false, neardHealthy, "sess-1", TimeSpan.FromMilliseconds(250), 42, false, null, Status.Clock.Now, Production: production));

    public ControlClient Client(TimeSpan? timeout = null) => new(SocketPath, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Sends raw bytes on a fresh connection and returns what came back until the server closed or <paramref name="wait"/> passed.</summary>
    public async Task<string> RawAsync(byte[] request, TimeSpan wait, bool closeWrite = false)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        try
        {
            await socket.SendAsync(request);
            if (closeWrite)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The server may close on garbage before everything is sent; read what it answered.
        }

        using var deadline = new CancellationTokenSource(wait);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // Timed out or reset: what arrived is the answer.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>Stops serving (as a daemon that exits), removing the socket file.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(deadline.Token);
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp dir left behind is not a test failure.
        }
    }

    /// <summary>A clock that never moves, so the renew age in /status is exactly what the test published.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }
}
