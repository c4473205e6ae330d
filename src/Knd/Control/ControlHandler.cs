using Knd.Http;
using Knd.Supervision;
using Microsoft.AspNetCore.Http.Features;

namespace Knd.Control;

/// <summary>
/// Answers one control request: routes it, reads and checks its body, calls
/// <see cref="ISupervisorControl"/>, renders the outcome. Nothing a client sends reaches the
/// daemon as an exception: malformed requests get 4xx, a failure inside the daemon gets 500.
/// </summary>
internal sealed class ControlHandler
{
    private readonly SupervisorStatus _status;
    private readonly ISupervisorControl _control;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public ControlHandler(SupervisorStatus status, ISupervisorControl control, ILogger logger, CancellationToken stopping)
    {
        _status = status;
        _control = control;
        _logger = logger;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = ControlRoutes.MaxBodyBytes;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        ControlReply reply;
        try
        {
            reply = await RouteAsync(request, path, linked.Token);
        }
        catch (BadHttpRequestException ex)
        {
            reply = ControlReply.Error(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : "malformed request body");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            reply = ControlReply.Error(StatusCodes.Status503ServiceUnavailable, "knd is shutting down");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away (or broke the connection) half-way: there is nobody to answer.
            return;
        }
        catch (Exception ex)
        {
            _logger.ControlFailed(ex, request.Method, path);
            reply = ControlReply.Error(StatusCodes.Status500InternalServerError, "internal error in knd; see its log");
        }

        if (reply.Status is >= 400 and < 500 and not StatusCodes.Status409Conflict)
        {
            _logger.ControlBadRequest(request.Method, path, reply.Status, System.Text.Encoding.UTF8.GetString(reply.Body));
        }

        try
        {
            await reply.WriteAsync(context.Response, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while we answered.
        }
    }

    private async Task<ControlReply> RouteAsync(HttpRequest request, string path, CancellationToken cancellationToken)
    {
        var allowed = ControlRoutes.Allowed(path);
        if (allowed is null)
        {
            return ControlReply.Error(StatusCodes.Status404NotFound, $"no route {Clip(path)}; routes: GET /status, GET /active_validator, GET|POST /maintenance, GET|POST /switchover, POST /pause, POST /resume");
        }

        var isGet = HttpMethods.IsGet(request.Method);
        var isPost = HttpMethods.IsPost(request.Method);
        if (!(isGet && allowed.Contains("GET", StringComparison.Ordinal)) && !(isPost && allowed.Contains("POST", StringComparison.Ordinal)))
        {
            return ControlReply.Error(StatusCodes.Status405MethodNotAllowed, $"{Clip(path)} takes {allowed}, not {Clip(request.Method)}", allowed);
        }

        if (isGet)
        {
            return await GetAsync(path, cancellationToken);
        }

        if (request.ContentLength > ControlRoutes.MaxBodyBytes)
        {
            return ControlReply.Error(StatusCodes.Status413PayloadTooLarge, TooLarge());
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        return body is null
            ? ControlReply.Error(StatusCodes.Status413PayloadTooLarge, TooLarge())
            : await PostAsync(path, body, request.Method);
    }

    private async Task<ControlReply> GetAsync(string path, CancellationToken cancellationToken) => path switch
    {
        ControlRoutes.Status => ControlReply.Json(StatusReport.From(_status), HttpJsonContext.Default.StatusReport),
        ControlRoutes.ActiveValidator => ControlReply.Json((await _control.GetActiveValidatorAsync(cancellationToken))!, ControlJsonContext.Default.ActiveValidatorInfo),
        ControlRoutes.Maintenance => ControlReply.Json(MaintenanceStatusView.From(await _control.GetMaintenanceStatusAsync(cancellationToken)), ControlJsonContext.Default.MaintenanceStatusView),
        _ => ControlReply.Json(await _control.GetSwitchoverStatusAsync(cancellationToken), ControlJsonContext.Default.SwitchoverStatus),
    };

    /// <summary>
    /// Changes run on the daemon's stopping token, not the request's: a client that hangs up
    /// half-way must not cancel a change half-applied (a config edit, a handover).
    /// </summary>
    private async Task<ControlReply> PostAsync(string path, byte[] body, string method)
    {
        string? error;
        switch (path)
        {
            case ControlRoutes.Maintenance:
                if (ControlRequestParser.Maintenance(body, out error) is not { } maintenance)
                {
                    return ControlReply.Error(StatusCodes.Status400BadRequest, error!);
                }

                _logger.ControlRequest(method, path, Describe(maintenance));
                return Render(method, path, await _control.ScheduleMaintenanceAsync(maintenance, _stopping), v => ControlReply.Json(MaintenanceStatusView.From(v), ControlJsonContext.Default.MaintenanceStatusView));

            case ControlRoutes.Switchover:
                if (ControlRequestParser.Switchover(body, out error) is not { } switchover)
                {
                    return ControlReply.Error(StatusCodes.Status400BadRequest, error!);
                }

                _logger.ControlRequest(method, path, switchover.To is null ? "to any ready passive" : $"to {switchover.To}");
                return Render(method, path, await _control.SwitchoverAsync(switchover, _stopping), v => ControlReply.Json(v, ControlJsonContext.Default.SwitchoverStatus));

            default:
                if (ControlRequestParser.NoFields(body) is { } bad)
                {
                    return ControlReply.Error(StatusCodes.Status400BadRequest, bad);
                }

                var pause = path == ControlRoutes.Pause;
                _logger.ControlRequest(method, path, string.Empty);
                return Render(method, path, await _control.SetPausedAsync(pause, _stopping), v => ControlReply.Json(new PauseState(v), ControlJsonContext.Default.PauseState));
        }
    }

    private ControlReply Render<T>(string method, string path, ControlOutcome<T> outcome, Func<T, ControlReply> render)
    {
        if (outcome.Ok && outcome.Value is { } value)
        {
            return render(value);
        }

        var reason = outcome.Error ?? "knd gave no answer";
        _logger.ControlRefused(method, path, reason);
        return ControlReply.Error(StatusCodes.Status409Conflict, reason);
    }

    /// <summary>The body, or null when it is over the limit (a chunked body has no Content-Length to check first).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ControlRoutes.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Describe(MaintenanceRequest request) =>
        $"{MaintenanceKinds.ToWire(request.Kind)}{(request.Cancel ? " cancel" : string.Empty)}"
        + (request.MinimumLength is { } length ? $" minimum_length={length}" : string.Empty)
        + (request.ShutdownAt is { } at ? $" shutdown_at={at}" : string.Empty);

    private static string TooLarge() => $"the request body is over {ControlRoutes.MaxBodyBytes} bytes";

    private static string Clip(string text) => Knd.Configuration.ValueText.Quote(text);
}
