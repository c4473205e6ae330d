using System.Globalization;

namespace Knd.DevConsul;

/// <summary><c>/v1/kv/</c>: GET (single, recurse, keys, raw), PUT (plain, cas, acquire, release) and DELETE.</summary>
internal static class KvEndpoints
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

    /// <summary>Reads the value, or returns null when it exceeds <paramref name="limit"/> bytes (413).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Go's <c>strconv.ParseUint</c>; Consul passes its error through as a 500.</summary>
    private static DevResponse? ParseUint(IQueryCollection query, string name, out ulong value)
    {
        value = 0;
        if (!query.TryGetValue(name, out var raw))
        {
            return null;
        }

        var text = raw.ToString();
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            ? null
            : DevResponse.Text(500, $"strconv.ParseUint: parsing \"{text}\": invalid syntax");
    }

    /// <summary><c>conflictingFlags</c>: 400 with the whole query, encoded and sorted as Go does.</summary>
    private static DevResponse? ConflictingFlags(IQueryCollection query, params string[] flags)
    {
        if (flags.Count(query.ContainsKey) < 2)
        {
            return null;
        }

        var encoded = string.Join('&', query
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value.Select(v => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(v ?? string.Empty))));
        return DevResponse.Text(400, $"Conflicting flags: {encoded}\n");
    }

    private static string? Separator(IQueryCollection query) =>
        query.TryGetValue("separator", out var separator) ? separator.ToString()
        : query.TryGetValue("seperator", out var misspelt) ? misspelt.ToString()
        : null;

    /// <summary>Key names under the prefix; with a separator, each is cut after the first separator past the prefix.</summary>
    private static List<string> ListKeys(List<StoredKey> entries, string prefix, string? separator)
    {
        var keys = new List<string>();
        foreach (var entry in entries)
        {
            var name = entry.Key;
            if (!string.IsNullOrEmpty(separator))
            {
                var at = name.IndexOf(separator, prefix.Length, StringComparison.Ordinal);
                name = at < 0 ? name : name[..(at + separator.Length)];
            }

            if (keys.Count == 0 || keys[^1] != name)
            {
                keys.Add(name);
            }
        }

        return keys;
    }
}
