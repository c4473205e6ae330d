using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

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
        if (answer.Error is { } error)
        {
            return Log<NeardStatus>("status", error);
        }

        return Log<NeardStatus>("status", answer.Value!.StatusCode switch
        {
            HttpStatusCode.OK => ToStatus(answer.Value.Body),
            HttpStatusCode.ServiceUnavailable => new NeardRpcError(NeardRpcErrorKind.NotReady, "neard is not ready (503)", 503),
            var code => new NeardRpcError(NeardRpcErrorKind.HttpError, $"GET /status answered {(int)code}", (int)code),
        });
    }

    public async Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken)
    {
        var result = await CallAsync("block", new JsonObject { ["finality"] = "final" }, cancellationToken);
        var block = result.IsSuccess ? Deserialize(result.Value, NeardJsonContext.Default.BlockView, "block") : result.Error!;
        return Log("block", block.IsSuccess ? NeardRpcResult<long>.Ok(block.Value!.Header.Height) : block.Error!);
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

        return Log(_windowsMethod, result.IsSuccess ? MaintenanceWindows.Parse(result.Value) : result.Error!);
    }

    public async Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken)
    {
        var result = await CallAsync("validators", new JsonArray((JsonNode?)null), cancellationToken);
        var parsed = result.IsSuccess ? Deserialize(result.Value, NeardJsonContext.Default.ValidatorsView, "validators") : result.Error!;
        if (parsed.Error is { } error)
        {
            return Log<NeardValidators>("validators", error);
        }

        var view = parsed.Value!;
        return NeardRpcResult<NeardValidators>.Ok(new NeardValidators(
            view.EpochStartHeight,
            view.EpochHeight,
            [.. view.CurrentValidators.Select(v => new ValidatorProduction(v.AccountId, v.NumProducedBlocks, v.NumExpectedBlocks, v.NumProducedChunks, v.NumExpectedChunks))]));
    }

    public async Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken)
    {
        var answer = await _http.SendAsync(HttpMethod.Get, "metrics", null, cancellationToken);
        if (answer.Error is { } error)
        {
            return Log<NeardMetrics>("metrics", error);
        }

        if (answer.Value!.StatusCode != HttpStatusCode.OK)
        {
            return Log<NeardMetrics>("metrics", new NeardRpcError(NeardRpcErrorKind.HttpError, $"GET /metrics answered {(int)answer.Value.StatusCode}", (int)answer.Value.StatusCode));
        }

        var samples = PrometheusText.Parse(Encoding.UTF8.GetString(answer.Value.Body), out _);
        return NeardRpcResult<NeardMetrics>.Ok(new NeardMetrics(samples));
    }

    public void Dispose() => _http.Dispose();

    private static NeardRpcResult<NeardStatus> ToStatus(byte[] body)
    {
        var parsed = Deserialize(body, NeardJsonContext.Default.StatusView, "status");
        if (parsed.Error is { } error)
        {
            return error;
        }

        var view = parsed.Value!;
        return NeardRpcResult<NeardStatus>.Ok(new NeardStatus(
            view.SyncInfo.LatestBlockHeight,
            view.SyncInfo.Syncing,
            ParseBlockTime(view.SyncInfo.LatestBlockTime),
            view.ValidatorAccountId,
            view.NodePublicKey,
            view.ChainId,
            view.Version?.Version));
    }

    /// <summary>nearcore writes nanoseconds (9 digits); .NET keeps 7, so the rest is cut before parsing.</summary>
    private static DateTimeOffset? ParseBlockTime(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            text = text[..Math.Min(end, dot + 8)] + text[end..];
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    private static bool IsMethodNotFound(NeardRpcError error) =>
        error.Kind == NeardRpcErrorKind.RpcError && (error.RpcCause == "METHOD_NOT_FOUND" || error.RpcCode == -32601);

    private static NeardRpcResult<T> Deserialize<T>(JsonElement element, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return element.Deserialize(typeInfo) is { } value
                ? NeardRpcResult<T>.Ok(value)
                : new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{what}: empty result");
        }
        catch (JsonException ex)
        {
            return new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{what}: {ex.Message}");
        }
    }

    private static NeardRpcResult<T> Deserialize<T>(byte[] body, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo) is { } value
                ? NeardRpcResult<T>.Ok(value)
                : new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{what}: empty body");
        }
        catch (JsonException ex)
        {
            return new NeardRpcError(NeardRpcErrorKind.MalformedResponse, $"{what}: {ex.Message}");
        }
    }

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
