using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Knd.DevConsul;

/// <summary>
/// Fault injection under <c>/_dev/</c> (no ACL, no injected latency, never black-holed). Each
/// endpoint answers with the server state, as <c>GET /_dev/state</c> does.
/// </summary>
internal static class FaultEndpoints
{
    public static async Task<DevResponse> HandleAsync(DevApi api, HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (name == "state")
        {
            return request.Method == "GET" ? State(api) : DevResponse.MethodNotAllowed(request.Method, "GET");
        }

        if (request.Method != "PUT")
        {
            return DevResponse.MethodNotAllowed(request.Method, "PUT");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        switch (name)
        {
            case "no-leader":
                if (!TryRead(body, DevFaultJsonContext.Default.NoLeaderFaultWire, required: true, out var noLeader, out var bad))
                {
                    return bad!;
                }

                if (noLeader!.HoldMs is { } hold)
                {
                    api.Faults.NoLeaderHold = TimeSpan.FromMilliseconds(hold);
                }

                api.Store.SetLeader(!noLeader.Enabled);
                api.Logger.DevFaultChanged("no-leader", noLeader.Enabled ? $"on (hold {(long)api.Faults.NoLeaderHold.TotalMilliseconds} ms)" : "off");
                return State(api);
            case "leader-change":
                api.Store.ChangeLeader();
                api.Logger.DevFaultChanged("leader-change", "session timers reset");
                return State(api);
            case "latency":
                if (!TryRead(body, DevFaultJsonContext.Default.LatencyFaultWire, required: true, out var latency, out bad))
                {
                    return bad!;
                }

                api.Faults.Latency = TimeSpan.FromMilliseconds(latency!.Ms);
                api.Logger.DevFaultChanged("latency", latency.Ms.ToString(CultureInfo.InvariantCulture) + " ms");
                return State(api);
            case "blackhole":
                if (!TryRead(body, DevFaultJsonContext.Default.BlackholeFaultWire, required: true, out var blackhole, out bad))
                {
                    return bad!;
                }

                if (string.IsNullOrEmpty(blackhole!.Node))
                {
                    return DevResponse.Text(400, "blackhole needs \"node\": the X-Knd-Node value of the client to cut off");
                }

                api.Faults.SetBlackhole(blackhole.Node, blackhole.Enabled);
                api.Logger.DevFaultChanged("blackhole " + blackhole.Node, blackhole.Enabled ? "on" : "off");
                return State(api);
            case "index-regression":
                if (!TryRead(body, DevFaultJsonContext.Default.IndexRegressionFaultWire, required: false, out var regression, out bad))
                {
                    return bad!;
                }

                api.Store.RegressIndexes(regression?.Index ?? 1);
                api.Logger.DevFaultChanged("index-regression", "to " + (regression?.Index ?? 1).ToString(CultureInfo.InvariantCulture));
                return State(api);
            default:
                return DevResponse.Text(404, $"no such fault endpoint: /_dev/{name}");
        }
    }

    private static DevResponse State(DevApi api) =>
        DevResponse.Json(api.Store.Snapshot(api.Faults), DevConsulJsonContext.Default.DevStateWire);

    private static bool TryRead<T>(byte[] body, JsonTypeInfo<T> typeInfo, bool required, out T? value, out DevResponse? error)
    {
        value = default;
        error = null;
        if (body.Length == 0)
        {
            if (required)
            {
                error = DevResponse.Text(400, "a JSON body is required");
                return false;
            }

            return true;
        }

        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo);
            return true;
        }
        catch (JsonException ex)
        {
            error = DevResponse.Text(400, "invalid JSON body: " + ex.Message);
            return false;
        }
    }
}
