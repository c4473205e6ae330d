using Knd.Supervision;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Knd.Control;

/// <summary>
/// Serves the control API (docs/cli.md) on the daemon's Kestrel, on the control socket only. The
/// socket's connections are marked when accepted; the control middleware answers every request on
/// a marked connection and none other, so the control routes are never reachable on the TCP
/// exporter address, and the exporter's routes never on the socket.
/// </summary>
internal static class ControlServer
{
    /// <summary>Adds the control socket to Kestrel's listeners. Call inside <c>ConfigureKestrel</c>.</summary>
    public static void Listen(KestrelServerOptions kestrel, ControlSocket socket)
    {
        kestrel.ListenHandle(socket.TakeListenHandle(), listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(ControlConnection.Instance);
                return next(connection);
            });
        });
    }

    /// <summary>
    /// Adds the control middleware to <paramref name="app"/> (before or after its endpoints are
    /// mapped), and closes <paramref name="socket"/> once the server has stopped.
    /// </summary>
    public static void Map(WebApplication app, ControlSocket socket, SupervisorStatus status, ISupervisorControl control)
    {
        // Kestrel does not close a listening handle it was given; after it stops, nobody would
        // accept connections queued on it, and a client would wait for its timeout.
        app.Lifetime.ApplicationStopped.Register(socket.Dispose);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Control");
        app.Lifetime.ApplicationStarted.Register(() => logger.ControlListening(socket.Path));
        var handler = new ControlHandler(status, control, logger, app.Lifetime.ApplicationStopping);
        app.Use(next => context => context.Features.Get<ControlConnection>() is null ? next(context) : handler.HandleAsync(context));
    }

    /// <summary>The mark of a connection accepted on the control socket.</summary>
    private sealed class ControlConnection
    {
        public static readonly ControlConnection Instance = new();
    }
}
