namespace Knd.DevConsul;

/// <summary><c>/v1/kv/</c>: GET (single, recurse, keys, raw), PUT (plain, cas, acquire, release) and DELETE.</summary>
internal static partial class KvEndpoints
{
    private const string MissingKey = "Missing key name";

    public static Task<DevResponse> HandleAsync(DevApi api, HttpRequest request, string key, CancellationToken cancellationToken) => request.Method switch
    {
        "GET" => GetAsync(api, request, key, cancellationToken),
        "PUT" => PutAsync(api, request, key, cancellationToken),
        "DELETE" => DeleteAsync(api, request, key, cancellationToken),
        _ => Task.FromResult(DevResponse.MethodNotAllowed(request.Method, "GET", "PUT", "DELETE")),
    };

    private static async Task<DevResponse> GetAsync(DevApi api, HttpRequest request, string key, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (ReadQuery.TryParse(query, out var read) is { } invalid)
        {
            return invalid;
        }

        var keysOnly = query.ContainsKey("keys");
        var recurse = query.ContainsKey("recurse");
        if (!keysOnly && !recurse && key.Length == 0)
        {
            return DevResponse.Text(400, MissingKey);
        }

        if (await api.RequireLeaderForReadAsync(read, cancellationToken) is { } noLeader)
        {
            return noLeader;
        }

        if (keysOnly || recurse)
        {
            var listed = await api.BlockAsync(read, WatchKind.Prefix, key, () =>
            {
                var (entries, index) = api.Store.ReadPrefix(key);
                return (entries, index, entries.Count > 0);
            }, cancellationToken);
            if (listed.LostLeader)
            {
                return DevResponse.NoClusterLeader();
            }

            if (keysOnly)
            {
                var keys = ListKeys(listed.Result, key, Separator(query));
                return keys.Count == 0 && key.Length > 0
                    ? api.WithMeta(DevResponse.Empty(404), listed.Index, read)
                    : api.WithMeta(DevResponse.Json(keys, DevConsulJsonContext.Default.ListString), listed.Index, read);
            }

            return listed.Result.Count == 0
                ? api.WithMeta(DevResponse.Empty(404), listed.Index, read)
                : api.WithMeta(DevResponse.Json(listed.Result.Select(DevConsulStore.ToWire).ToList(), DevConsulJsonContext.Default.ListKvEntryWire), listed.Index, read);
        }

        var single = await api.BlockAsync(read, WatchKind.Key, key, () =>
        {
            var (entry, index) = api.Store.ReadKey(key);
            return (entry, index, entry is not null);
        }, cancellationToken);
        if (single.LostLeader)
        {
            return DevResponse.NoClusterLeader();
        }

        if (single.Result is not { } found)
        {
            return api.WithMeta(DevResponse.Empty(404), single.Index, read);
        }

        if (query.ContainsKey("raw"))
        {
            var raw = DevResponse.Bytes(200, found.Value, "text/plain")
                .WithHeader("X-Content-Type-Options", "nosniff")
                .WithHeader("Content-Security-Policy", "sandbox");
            return api.WithMeta(raw, single.Index, read);
        }

        return api.WithMeta(DevResponse.Json([DevConsulStore.ToWire(found)], DevConsulJsonContext.Default.ListKvEntryWire), single.Index, read);
    }

    private static async Task<DevResponse> PutAsync(DevApi api, HttpRequest request, string key, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (key.Length == 0)
        {
            return DevResponse.Text(400, MissingKey);
        }

        if (ConflictingFlags(query, "cas", "acquire", "release") is { } conflict)
        {
            return conflict;
        }

        if (ParseUint(query, "flags", out var flags) is { } badFlags)
        {
            return badFlags;
        }

        if (ParseUint(query, "cas", out var cas) is { } badCas)
        {
            return badCas;
        }

        var body = await ReadBodyAsync(request, api.Options.MaxValueSize, cancellationToken);
        if (body is null)
        {
            var size = request.ContentLength ?? api.Options.MaxValueSize + 1L;
            return DevResponse.Text(413, $"Request body({size} bytes) too large, max size: {api.Options.MaxValueSize} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
        }

        if (!await api.WaitForLeaderAsync(cancellationToken))
        {
            return DevResponse.NoClusterLeader();
        }

        if (query.ContainsKey("acquire"))
        {
            return LockAnswer(api.Store.Acquire(key, body, flags, query["acquire"].ToString()));
        }

        if (query.ContainsKey("release"))
        {
            return LockAnswer(api.Store.Release(key, body, flags, query["release"].ToString()));
        }

        if (query.ContainsKey("cas"))
        {
            return Bool(api.Store.CompareAndSet(key, body, flags, cas));
        }

        api.Store.Set(key, body, flags);
        return Bool(true);
    }

    private static async Task<DevResponse> DeleteAsync(DevApi api, HttpRequest request, string key, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (ConflictingFlags(query, "recurse", "cas") is { } conflict)
        {
            return conflict;
        }

        var recurse = query.ContainsKey("recurse");
        if (!recurse && key.Length == 0)
        {
            return DevResponse.Text(400, MissingKey);
        }

        if (ParseUint(query, "cas", out var cas) is { } badCas)
        {
            return badCas;
        }

        if (!await api.WaitForLeaderAsync(cancellationToken))
        {
            return DevResponse.NoClusterLeader();
        }

        if (recurse)
        {
            api.Store.DeleteTree(key);
            return Bool(true);
        }

        return Bool(api.Store.Delete(key, query.ContainsKey("cas") ? cas : null));
    }

    private static DevResponse LockAnswer(KvLockResult result) =>
        result.Error is { } error ? DevResponse.Text(500, error) : Bool(result.Done);

    private static DevResponse Bool(bool value) => DevResponse.Json(value, DevConsulJsonContext.Default.Boolean);
}
