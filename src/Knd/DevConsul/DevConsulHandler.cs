using System.Security.Cryptography;
using System.Text;

namespace Knd.DevConsul;

/// <summary>
/// The request pipeline: fault endpoints, then the black hole, then routing (ACL-checked), then the
/// injected latency, then the answer, spoiled in flight when a <c>/_dev/spoil</c> rule says so.
/// </summary>
internal sealed class DevConsulHandler
{
    private const string NodeHeader = "X-Knd-Node";

    private readonly DevApi _api;
    private readonly CancellationToken _stopping;

    public DevConsulHandler(DevApi api, CancellationToken stopping)
    {
        _api = api;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var cancellationToken = cts.Token;
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        try
        {
            if (path.StartsWith("/_dev/", StringComparison.Ordinal))
            {
                var answer = await FaultEndpoints.HandleAsync(_api, request, path["/_dev/".Length..], cancellationToken);
                await answer.WriteAsync(context.Response, cancellationToken);
                return;
            }

            var node = request.Headers[NodeHeader].ToString();
            if (_api.Faults.IsBlackholed(node))
            {
                // A partition: the request arrives and nothing ever comes back until the client gives up.
                _api.Logger.DevRequestBlackholed(request.Method, path, node);
                await Task.Delay(Timeout.InfiniteTimeSpan, _api.Time, cancellationToken);
            }

            var response = await RouteAsync(request, path, cancellationToken);
            if (_api.Faults.IsBlackholed(node))
            {
                // Cut off while it waited (a blocking query sent before the partition): its answer does not get through either.
                _api.Logger.DevRequestBlackholed(request.Method, path, node);
                await Task.Delay(Timeout.InfiniteTimeSpan, _api.Time, cancellationToken);
            }

            if (_api.Faults.Latency is { } latency && latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _api.Time, cancellationToken);
            }

            if (_api.Spoiler.Decide(AnswerSpoiler.Operation(request.Method, path, request.Query), path, node) is { Mode: not SpoilMode.None } spoil)
            {
                _api.Logger.DevAnswerSpoiled(request.Method, path, response.Status, SpoilModes.Name(spoil.Mode), spoil.RuleId);
                await SpoiledAnswer.WriteAsync(context, response, spoil, _api.Time, cancellationToken);
                return;
            }

            _api.Logger.DevRequestAnswered(request.Method, path, response.Status);
            await response.WriteAsync(context.Response, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    private async Task<DevResponse> RouteAsync(HttpRequest request, string path, CancellationToken cancellationToken)
    {
        switch (path)
        {
            case "/v1/status/leader":
                return AgentEndpoints.Leader(_api, request);
            case "/v1/status/peers":
                return AgentEndpoints.Peers(_api, request);
        }

        if (path == "/v1/agent/self")
        {
            return Authorize(request, path) ?? AgentEndpoints.Self(_api, request);
        }

        if (path.StartsWith("/v1/session/", StringComparison.Ordinal))
        {
            if (Authorize(request, path) is { } refused)
            {
                return refused;
            }

            var endpoint = SessionEndpoints.Route(_api, request, path["/v1/session/".Length..], cancellationToken);
            return endpoint is null ? NotFound() : await endpoint;
        }

        if (path.StartsWith("/v1/kv/", StringComparison.Ordinal))
        {
            return Authorize(request, path) ?? await KvEndpoints.HandleAsync(_api, request, path["/v1/kv/".Length..], cancellationToken);
        }

        return NotFound();
    }

    private static DevResponse NotFound() => DevResponse.Text(404, "404 page not found\n");

    /// <summary>
    /// The ACL check: the token comes from <c>?token=</c>, then <c>X-Consul-Token</c>, then
    /// <c>Authorization: Bearer</c>. No token is the anonymous token, which may do nothing.
    /// </summary>
    private DevResponse? Authorize(HttpRequest request, string path)
    {
        if (!_api.AclEnabled)
        {
            return null;
        }

        var token = request.Query["token"].ToString();
        if (token.Length == 0)
        {
            token = request.Headers["X-Consul-Token"].ToString();
        }

        if (token.Length == 0 && request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization["Bearer ".Length..].Trim();
        }

        if (token.Length == 0)
        {
            _api.Logger.DevAclRefused(request.Method, path, "no token (anonymous)");
            return DevResponse.Text(403, "Permission denied");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(_api.Options.AclToken!)))
        {
            _api.Logger.DevAclRefused(request.Method, path, "unknown token");
            return DevResponse.Text(403, "ACL not found");
        }

        return null;
    }
}
