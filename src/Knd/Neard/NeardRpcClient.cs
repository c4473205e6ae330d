using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.Neard;

/// <summary><see cref="INeardRpc"/> over HTTP to one neard (its <c>rpc.addr</c>, see <see cref="NeardHome.ReadRpcEndpoint"/>).</summary>
internal sealed class NeardRpcClient : INeardRpc, IDisposable
{
    private const string WindowsMethodOld = "EXPERIMENTAL_maintenance_windows";
    private const string WindowsMethodNew = "maintenance_windows";

    private readonly NeardHttp _http;
    private readonly ILogger _logger;
    private volatile string _windowsMethod = WindowsMethodOld;

    /// <summary><paramref name="timeout"/> bounds each call, the whole answer included (FailoverTimings.NeardRpcTimeout).</summary>
    public NeardRpcClient(Uri baseAddress, TimeSpan timeout, TimeProvider timeProvider, ILogger logger)
    {
        _http = new NeardHttp(baseAddress, timeout, timeProvider);
        _logger = logger;
    }

    public Uri BaseAddress => _http.BaseAddress;

    public async Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        var answer = await _http.SendAsync(HttpMethod.Get, "status", null, cancellationToken);
        if (!answer.TryGetValue(out var response, out var error))
        {
            return Log<NeardStatus>("status", error);
        }

        return Log<NeardStatus>("status", response.StatusCode switch
        {
            HttpStatusCode.OK => NeardAnswers.Status(response.Body),
            HttpStatusCode.ServiceUnavailable => new NeardRpcError(NeardRpcErrorKind.NotReady, "neard is not ready (503)", 503),
            var code => new NeardRpcError(NeardRpcErrorKind.HttpError, $"GET /status answered {(int)code}", (int)code),
        });
    }

    public async Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken)
    {
        var result = await CallAsync("block", new JsonObject { ["finality"] = "final" }, cancellationToken);
        return Log("block", result.IsSuccess ? NeardAnswers.BlockHeight(result.Value) : result.Error);
    }

    public async Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken)
    {
        var method = _windowsMethod;
        var result = await CallAsync(method, new JsonObject { ["account_id"] = accountId }, cancellationToken);
        if (result.Error is { } error && IsMethodNotFound(error))
        {
            var other = method == WindowsMethodOld ? WindowsMethodNew : WindowsMethodOld;
            result = await CallAsync(other, new JsonObject { ["account_id"] = accountId }, cancellationToken);
            if (result.IsSuccess)
            {
                _logger.RpcMethodFallback(method, other);
                _windowsMethod = other;
            }
        }

        return Log(_windowsMethod, result.IsSuccess ? MaintenanceWindows.Parse(result.Value) : result.Error);
    }

    public async Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken)
    {
        var result = await CallAsync("validators", new JsonArray((JsonNode?)null), cancellationToken);
        return Log("validators", result.IsSuccess ? NeardAnswers.Validators(result.Value) : result.Error);
    }

    public async Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken)
    {
        var parameters = new JsonArray(epochLastHeight is { } height ? JsonValue.Create(height) : null);
        var result = await CallAsync("validators", parameters, cancellationToken);
        return Log("validators", result.IsSuccess ? ProductionAnswers.Production(result.Value, accountId) : result.Error);
    }

    public async Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken)
    {
        var result = await CallAsync("block", new JsonObject { ["block_id"] = height }, cancellationToken);
        return Log("block", result.IsSuccess ? ProductionAnswers.Block(result.Value) : result.Error);
    }

    public async Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken)
    {
        var result = await CallAsync("chunk", new JsonObject { ["block_id"] = height, ["shard_id"] = shardId }, cancellationToken);
        return Log("chunk", result.IsSuccess ? ProductionAnswers.Chunk(result.Value) : result.Error);
    }

    public async Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken)
    {
        var answer = await _http.SendAsync(HttpMethod.Get, "metrics", null, cancellationToken);
        if (!answer.TryGetValue(out var response, out var error))
        {
            return Log<NeardMetrics>("metrics", error);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return Log<NeardMetrics>("metrics", new NeardRpcError(NeardRpcErrorKind.HttpError, $"GET /metrics answered {(int)response.StatusCode}", (int)response.StatusCode));
        }

        // Invalid UTF-8 becomes U+FFFD; a line that does not parse is skipped (PrometheusText).
        var samples = PrometheusText.Parse(Encoding.UTF8.GetString(response.Body), out _);
        return NeardRpcResult<NeardMetrics>.Ok(new NeardMetrics(samples));
    }

    public void Dispose() => _http.Dispose();

    private static bool IsMethodNotFound(NeardRpcError error) =>
        error.Kind == NeardRpcErrorKind.RpcError && (error.RpcCause == "METHOD_NOT_FOUND" || error.RpcCode == -32601);

    private Task<NeardRpcResult<JsonElement>> CallAsync(string method, JsonNode parameters, CancellationToken cancellationToken) =>
        JsonRpc.CallAsync(_http, method, parameters, cancellationToken);

    private NeardRpcResult<T> Log<T>(string method, NeardRpcResult<T> result)
    {
        if (result.Error is { } error)
        {
            _logger.RpcCallFailed(method, error);
        }

        return result;
    }
}
