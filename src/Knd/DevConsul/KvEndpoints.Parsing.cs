using System.Globalization;

namespace Knd.DevConsul;

/// <summary>Request parsing of the KV endpoint, with Go's and Consul's error texts.</summary>
internal static partial class KvEndpoints
{
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
