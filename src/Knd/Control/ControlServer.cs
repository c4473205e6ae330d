using Knd.Supervision;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Knd.Control;

/// <summary>
/// Serves the control API (docs/cli.md) on the daemon's Kestrel, on the control socket only. The
/// socket's connections are marked when accepted, and every request on a marked connection goes
/// down a pipeline branch with its own routing (a branch of a WebApplication gets its own
/// endpoints), where the control routes are the only endpoints. So the control routes are never
/// reachable on the TCP exporter address, and the exporter's routes never on the socket.
/// </summary>
internal static class ControlServer
{
    /// <summary>Adds the control socket to Kestrel's listeners. Call inside <c>ConfigureKestrel</c>.</summary>
    public static void Listen(KestrelServerOptions kestrel, ControlSocket socket)
    {
        foreach (var listener in Sockets(socket))
        {
            var mark = listener.IsKuutamodName ? ControlConnection.Kuutamod : ControlConnection.Knd;
            kestrel.ListenHandle(listener.TakeListenHandle(), listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => connection =>
                {
                    connection.Features.Set(mark);
                    return next(connection);
                });
            });
        }
    }

    /// <summary>
    /// Adds the control routes to <paramref name="app"/> (before or after its endpoints are
    /// mapped), and closes <paramref name="socket"/> once the server has stopped.
    /// </summary>
    public static void Map(WebApplication app, ControlSocket socket, SupervisorStatus status, ISupervisorControl control)
    {
        // Kestrel does not close a listening handle it was given; after it stops, nobody would
        // accept connections queued on it, and a client would wait for its timeout.
        app.Lifetime.ApplicationStopped.Register(socket.Dispose);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Knd.Control");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var listener in Sockets(socket))
            {
                logger.ControlListening(listener.Path);
            }
        });
        var stopping = app.Lifetime.ApplicationStopping;
        var errors = new ControlErrors(logger, stopping, $"{ControlRoutes.Listing}; {KuutamodRoutes.Listing}");
        var endpoints = new ControlEndpoints(status, control, logger, stopping);
        var kuutamod = new KuutamodEndpoints(status, control, logger, stopping);
        app.MapWhen(context => context.Features.Get<ControlConnection>() is not null, branch =>
        {
            // The app's own routing ran first and may have matched an exporter route by its path.
            branch.Use((context, next) =>
            {
                context.SetEndpoint(null);
                return next(context);
            });
            branch.Use(errors.InvokeAsync);
            branch.UseRouting();
            branch.Use(ExactPathOnly);
            branch.UseEndpoints(routes =>
            {
                var group = routes.MapGroup(string.Empty).WithGroupName("control");
                endpoints.Map(group);
                kuutamod.Map(group);
            });
        });
    }

    /// <summary>
    /// Routing forgives case and a trailing slash (<c>/Status/</c>); the control API, like
    /// kuutamod's, answers only the exact path, so a script's typo is a 404, not a guess.
    /// </summary>
    private static Task ExactPathOnly(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint && !string.Equals(Literal(endpoint.RoutePattern), context.Request.Path.Value, StringComparison.Ordinal))
        {
            context.SetEndpoint(null);
            context.Request.RouteValues.Clear();
        }

        return next(context);
    }

    private static string Literal(RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.OfType<RoutePatternLiteralPart>().Select(p => p.Content))));

    private static IEnumerable<ControlSocket> Sockets(ControlSocket socket) => socket.Alias is { } alias ? [socket, alias] : [socket];
}

/// <summary>
/// The mark of a connection accepted on a control socket. <see cref="IsKuutamod"/>: the socket
/// carries kuutamod's name, so its clients (kuutamoctl, kuutamod-era scripts) expect kuutamod's
/// answer to <c>GET /active_validator</c>.
/// </summary>
internal sealed class ControlConnection
{
    public static readonly ControlConnection Knd = new(false);

    public static readonly ControlConnection Kuutamod = new(true);

    private ControlConnection(bool isKuutamod) => IsKuutamod = isKuutamod;

    public bool IsKuutamod { get; }
}
