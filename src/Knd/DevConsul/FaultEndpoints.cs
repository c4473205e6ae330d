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
            case "spoil":
                if (!TryRead(body, DevFaultJsonContext.Default.SpoilFaultWire, required: true, out var spoil, out bad))
                {
                    return bad!;
                }

                return Spoil(api, spoil!) ?? State(api);
            default:
                return DevResponse.Text(404, $"no such fault endpoint: /_dev/{name}");
        }
    }

    /// <summary>Adds the rule (or clears them all); returns a 400 answer for a bad rule.</summary>
    private static DevResponse? Spoil(DevApi api, SpoilFaultWire wire)
    {
        if (wire.Clear)
        {
            api.Spoiler.Clear();
            api.Logger.DevFaultChanged("spoil", "cleared");
            return null;
        }

        var names = wire.Modes ?? (wire.Mode is null ? [] : [wire.Mode]);
        var modes = new List<SpoilMode>();
        foreach (var name in names)
        {
            if (string.Equals(name, "all", StringComparison.OrdinalIgnoreCase))
            {
                modes.AddRange(SpoilModes.All);
            }
            else if (SpoilModes.TryParse(name, out var mode))
            {
                modes.Add(mode);
            }
            else
            {
                return DevResponse.Text(400, $"spoil: unknown mode '{name}'; known: {SpoilModes.Known}");
            }
        }

        if (modes.Count == 0)
        {
            return DevResponse.Text(400, $"spoil needs \"mode\" or \"modes\" (or \"clear\":true); known: {SpoilModes.Known}");
        }

        if (wire.Every is <= 0 || wire.Count is <= 0 || wire.DripMs is <= 0)
        {
            return DevResponse.Text(400, "spoil: \"every\", \"count\" and \"dripMs\" must be positive when given");
        }

        var ops = wire.Ops ?? (wire.Op is null ? [] : [wire.Op]);
        var drip = wire.DripMs is { } ms ? TimeSpan.FromMilliseconds(ms) : AnswerSpoiler.DefaultDripInterval;
        var id = api.Spoiler.Add(modes, ops, wire.PathPrefix, string.IsNullOrEmpty(wire.Node) ? null : wire.Node, wire.Every ?? 1, wire.Count, drip);
        api.Logger.DevFaultChanged(
            $"spoil rule {id}",
            $"modes {string.Join(',', modes.Select(SpoilModes.Name))}, ops {(ops.Count == 0 ? "any" : string.Join(',', ops))}, path {wire.PathPrefix ?? "any"}, node {wire.Node ?? "any"}, every {wire.Every ?? 1}, count {wire.Count?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}");
        return null;
    }

    private static DevResponse State(DevApi api) =>
        DevResponse.Json(api.Store.Snapshot(api.Faults, api.Spoiler), DevConsulJsonContext.Default.DevStateWire);

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
