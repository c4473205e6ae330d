using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Knd.DevConsul;

/// <summary>
/// An answer computed by an endpoint and written later, so injected latency can delay a response
/// whose effects are already applied (as a slow network does).
/// </summary>
internal sealed class DevResponse
{
    private const string TextPlain = "text/plain; charset=utf-8";
    private const string ApplicationJson = "application/json";

    private readonly List<KeyValuePair<string, string>> _headers = [];

    private DevResponse(int status, byte[] body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string? ContentType { get; }

    /// <summary>Consul's error bodies: the message as plain text, no trailing newline.</summary>
    public static DevResponse Text(int status, string message) => new(status, Encoding.UTF8.GetBytes(message), TextPlain);

    public static DevResponse Json<T>(T value, JsonTypeInfo<T> typeInfo, int status = 200) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), ApplicationJson);

    public static DevResponse Bytes(int status, byte[] body, string contentType) => new(status, body, contentType);

    public static DevResponse Empty(int status) => new(status, [], null);

    public static DevResponse MethodNotAllowed(string method, params string[] allowed) =>
        Text(405, $"method {method} not allowed").WithHeader("Allow", string.Join(", ", allowed));

    public static DevResponse NoClusterLeader() => Text(500, "No cluster leader");

    public DevResponse WithHeader(string name, string value)
    {
        _headers.Add(new(name, value));
        return this;
    }

    /// <summary>The value of a header, or null.</summary>
    public string? Header(string name) =>
        _headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Drops every value of a header.</summary>
    public DevResponse WithoutHeader(string name)
    {
        _headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
        return this;
    }

    /// <summary>The same answer (status, headers, content type) with another body.</summary>
    public DevResponse WithBody(byte[] body)
    {
        var copy = new DevResponse(Status, body, ContentType);
        copy._headers.AddRange(_headers);
        return copy;
    }

    /// <summary>The read headers of <c>setMeta</c>; the index is never 0.</summary>
    public DevResponse WithQueryMeta(ulong index, bool knownLeader, TimeSpan lastContact, string? consistency, bool aclDeny)
    {
        WithHeader("X-Consul-Index", Math.Max(1UL, index).ToString(CultureInfo.InvariantCulture));
        WithHeader("X-Consul-KnownLeader", knownLeader ? "true" : "false");
        WithHeader("X-Consul-LastContact", ((long)lastContact.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        if (consistency is not null)
        {
            WithHeader("X-Consul-Effective-Consistency", consistency);
        }

        WithHeader("X-Consul-Default-ACL-Policy", aclDeny ? "deny" : "allow");
        WithHeader("X-Consul-Query-Backend", "blocking-query");
        return this;
    }

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        WriteHead(response);
        if (Body.Length > 0)
        {
            await response.Body.WriteAsync(Body, cancellationToken);
        }
    }

    /// <summary>Status, headers and a Content-Length of the whole body; the body is the caller's to write.</summary>
    public void WriteHead(HttpResponse response)
    {
        response.StatusCode = Status;
        foreach (var (name, value) in _headers)
        {
            response.Headers.Append(name, value);
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        response.ContentLength = Body.Length;
    }
}
