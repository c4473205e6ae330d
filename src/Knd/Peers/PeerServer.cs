using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Knd.Peers;

/// <summary>
/// Serves the peer channel on its own listener of the daemon's Kestrel, like the control socket: its
/// connections are marked when accepted, and every request on a marked connection goes to
/// <see cref="PeerInbox"/> and nowhere else. So the peer routes are never reachable on the exporter
/// address or the control socket, and the exporter's routes (/metrics, /status) never on the peer port.
/// </summary>
internal static class PeerServer
{
    /// <summary>Adds the peer listener to Kestrel. Call inside <c>ConfigureKestrel</c>.</summary>
    public static void Listen(KestrelServerOptions kestrel, PeerListener listener)
    {
        kestrel.ListenHandle(listener.Handle, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(PeerConnection.Instance);
                return next(connection);
            });
        });
    }

    /// <summary>Sends every request on a peer connection to <paramref name="inbox"/>; closes the listener once the server has stopped.</summary>
    public static void Map(WebApplication app, PeerListener listener, PeerInbox inbox)
    {
        app.Lifetime.ApplicationStopped.Register(listener.Dispose);
        app.MapWhen(context => context.Features.Get<PeerConnection>() is not null, branch =>
        {
            // The app's own routing ran first and may have matched an exporter route by its path.
            branch.Use((context, next) =>
            {
                context.SetEndpoint(null);
                return next(context);
            });
            branch.Run(inbox.HandleAsync);
        });
    }
}

/// <summary>The mark of a connection accepted on the peer listener.</summary>
internal sealed class PeerConnection
{
    public static readonly PeerConnection Instance = new();

    private PeerConnection()
    {
    }
}
