using System.Text.Json;
using NeardSim.Faults;
using NeardSim.Node;

namespace NeardSim.Rpc;

/// <summary>
/// The HTTP surface: the fault and startup gates, then GET /status, /health, /metrics and
/// JSON-RPC on POST /. One delegate, no routing middleware: the sim stays small.
/// </summary>
internal sealed class RpcEndpoints
{
    private static readonly TimeSpan HangPoll = TimeSpan.FromMilliseconds(50);

    private readonly NodeViews _views;
    private readonly NodeState _state;
    private readonly FaultState _faults;
    private readonly JsonRpcHandler _jsonRpc;
    private readonly TimeProvider _time;

    public RpcEndpoints(NodeViews views, NodeState state, FaultState faults, JsonRpcHandler jsonRpc, TimeProvider time)
    {
        _views = views;
        _state = state;
        _faults = faults;
        _jsonRpc = jsonRpc;
        _time = time;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (_faults.RpcHang && !await HangAsync(context.RequestAborted))
        {
            return;
        }

        if (!_state.IsRpcReady)
        {
            // Still starting up: nearcore's /status answers 503 with an empty body on error.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var request = context.Request;
        var isRead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        switch (request.Path.Value)
        {
            case "/status" when isRead:
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(
                    context.Response.Body, _views.Status(), RpcJsonContext.Default.StatusView, context.RequestAborted);
                break;
            case "/health" when isRead:
                context.Response.StatusCode = _state.IsSynced ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                break;
            case "/metrics" when isRead:
                context.Response.ContentType = MetricsText.ContentType;
                await context.Response.WriteAsync(MetricsText.Render(_state, _views.Clock, _faults), context.RequestAborted);
                break;
            case "/" when HttpMethods.IsPost(request.Method):
                await _jsonRpc.HandleAsync(context);
                break;
            case "/":
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    /// <summary>Holds the request while the hang fault lasts. False when the client gave up or the server stops.</summary>
    private async Task<bool> HangAsync(CancellationToken aborted)
    {
        try
        {
            while (_faults.RpcHang)
            {
                await Task.Delay(HangPoll, _time, aborted);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
