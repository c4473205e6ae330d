using Microsoft.AspNetCore.Http.Features;

namespace Knd.Control;

/// <summary>
/// The control socket's error answers, around its routing: a request that fails on the way in or
/// inside the daemon gets a problem document with one line saying why, never a stack trace or an
/// empty body. Unknown routes (404) and wrong methods (405, whose <c>Allow</c> header routing
/// set) get their detail here too. Nothing a client sends reaches the daemon as an exception.
/// </summary>
internal sealed class ControlErrors
{
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly string _listing;

    public ControlErrors(ILogger logger, CancellationToken stopping, string listing)
    {
        _logger = logger;
        _stopping = stopping;
        _listing = listing;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = ControlRoutes.MaxBodyBytes;
        }

        var request = context.Request;
        var path = request.Path.Value ?? "/";
        int status;
        string detail;
        try
        {
            await next(context);
            if (context.Response.HasStarted || context.Response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed))
            {
                return;
            }

            status = context.Response.StatusCode;
            detail = status == StatusCodes.Status404NotFound
                ? $"no route {Quote(path)}; routes: {_listing}"
                : $"{Quote(path)} takes {context.Response.Headers.Allow}, not {Quote(request.Method)}";
        }
        catch (ControlRequestException ex)
        {
            (status, detail) = (StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body: too large, cut short, malformed chunks.
            (status, detail) = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? (ex.StatusCode, $"the request body is over {ControlRoutes.MaxBodyBytes} bytes")
                : (ex.StatusCode, "malformed request body");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            (status, detail) = (StatusCodes.Status503ServiceUnavailable, "knd is shutting down");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or broke the connection) half-way: there is nobody to answer.
            return;
        }
        catch (Exception ex)
        {
            // Every failure knd knows of is an outcome with its cause (409, 502); this is one it
            // does not (a bug, or a disk error where none was expected). Say what it was.
            _logger.ControlFailed(ex, request.Method, path);
            var what = ex.Message.ReplaceLineEndings(" ").Trim();
            (status, detail) = (StatusCodes.Status500InternalServerError, $"knd failed to answer {request.Method} {Quote(path)}: {ex.GetType().Name}: {(what.Length > 300 ? what[..300] + "..." : what)} (unexpected; knd's log has the details)");
        }

        if (status is >= 400 and < 500)
        {
            _logger.ControlBadRequest(request.Method, path, status, detail);
        }

        if (context.Response.HasStarted)
        {
            return;
        }

        try
        {
            var allow = context.Response.Headers.Allow;
            context.Response.Clear();
            if (status == StatusCodes.Status405MethodNotAllowed)
            {
                context.Response.Headers.Allow = allow;
            }

            await ControlResults.WriteProblemAsync(context, status, detail, KuutamodRoute.Of(context));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while we answered.
        }
    }

    private static string Quote(string text) => Knd.Configuration.ValueText.Quote(text);
}
