using Knd.Consul;

namespace Knd.DevConsul;

/// <summary><c>/v1/session/</c>: create, renew, destroy, info, list, node.</summary>
internal static class SessionEndpoints
{
    private const string MissingSession = "Missing session";

    public static Task<DevResponse>? Route(DevApi api, HttpRequest request, string rest, CancellationToken cancellationToken)
    {
        if (rest == "create")
        {
            return Put(request) ?? CreateAsync(api, request, cancellationToken);
        }

        if (rest == "list")
        {
            return Get(request) ?? ReadAsync(api, request, null, _ => true, cancellationToken);
        }

        if (Suffix(rest, "renew/") is { } renewId)
        {
            return Put(request) ?? RenewAsync(api, request, renewId, cancellationToken);
        }

        if (Suffix(rest, "destroy/") is { } destroyId)
        {
            return Put(request) ?? DestroyAsync(api, destroyId, cancellationToken);
        }

        if (Suffix(rest, "info/") is { } infoId)
        {
            return Get(request) ?? ReadAsync(api, request, infoId.Length == 0 ? MissingSession : null, s => s.Id == infoId, cancellationToken);
        }

        if (Suffix(rest, "node/") is { } node)
        {
            return Get(request) ?? ReadAsync(api, request, node.Length == 0 ? "Missing node name" : null, s => s.Node == node, cancellationToken);
        }

        return null;
    }

    private static async Task<DevResponse> CreateAsync(DevApi api, HttpRequest request, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        if (request.ContentLength > 0)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }

        var (spec, decodeError) = SessionCreateParser.Parse(body, api.Store.NodeName);
        if (decodeError is not null)
        {
            return DevResponse.Text(400, $"Request decode failed: {decodeError}");
        }

        if (!await api.WaitForLeaderAsync(cancellationToken))
        {
            return DevResponse.NoClusterLeader();
        }

        var (id, error) = api.Store.CreateSession(spec!);
        return error is not null
            ? DevResponse.Text(500, error)
            : DevResponse.Json(new SessionCreatedWire { Id = id }, DevConsulJsonContext.Default.SessionCreatedWire);
    }

    private static async Task<DevResponse> RenewAsync(DevApi api, HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (ReadQuery.TryParse(request.Query, out _) is { } invalid)
        {
            return invalid;
        }

        if (id.Length == 0)
        {
            return DevResponse.Text(400, MissingSession);
        }

        // Renew is an RPC to the leader: it fails while there is none, which is how leases lapse.
        if (!await api.WaitForLeaderAsync(cancellationToken))
        {
            return DevResponse.NoClusterLeader();
        }

        return api.Store.RenewSession(id) is { } session
            ? DevResponse.Json([session], DevConsulJsonContext.Default.ListSessionWire)
            : DevResponse.Text(404, $"Session id '{id}' not found");
    }

    private static async Task<DevResponse> DestroyAsync(DevApi api, string id, CancellationToken cancellationToken)
    {
        if (id.Length == 0)
        {
            return DevResponse.Text(400, MissingSession);
        }

        if (!await api.WaitForLeaderAsync(cancellationToken))
        {
            return DevResponse.NoClusterLeader();
        }

        api.Store.DestroySession(id);
        return DevResponse.Json(true, DevConsulJsonContext.Default.Boolean);
    }

    private static async Task<DevResponse> ReadAsync(DevApi api, HttpRequest request, string? missing, Func<StoredSession, bool> filter, CancellationToken cancellationToken)
    {
        if (ReadQuery.TryParse(request.Query, out var read) is { } invalid)
        {
            return invalid;
        }

        if (missing is not null)
        {
            return DevResponse.Text(400, missing);
        }

        if (await api.RequireLeaderForReadAsync(read, cancellationToken) is { } noLeader)
        {
            return noLeader;
        }

        var result = await api.BlockAsync(read, WatchKind.Sessions, string.Empty, () =>
        {
            var (sessions, index) = api.Store.ReadSessions(filter);
            return (sessions, index, true);
        }, cancellationToken);
        return result.LostLeader
            ? DevResponse.NoClusterLeader()
            : api.WithMeta(DevResponse.Json(result.Result, DevConsulJsonContext.Default.ListSessionWire), result.Index, read);
    }

    private static string? Suffix(string rest, string prefix) =>
        rest.StartsWith(prefix, StringComparison.Ordinal) ? rest[prefix.Length..] : null;

    private static Task<DevResponse>? Put(HttpRequest request) =>
        request.Method == "PUT" ? null : Task.FromResult(DevResponse.MethodNotAllowed(request.Method, "PUT"));

    private static Task<DevResponse>? Get(HttpRequest request) =>
        request.Method == "GET" ? null : Task.FromResult(DevResponse.MethodNotAllowed(request.Method, "GET"));
}
