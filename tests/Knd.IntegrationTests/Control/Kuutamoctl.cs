using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Knd.IntegrationTests.Control;

/// <summary>
/// Requests exactly as kuutamoctl and kneard-ctl send them (kuutamod src/commands/client.rs:
/// hyper 0.14 through hyperlocal 0.8): the Host header is the hex of the socket path with port 0,
/// header names in lower case, a POST body with a Content-Length and no Content-Type, the body
/// serde_json makes of kuutamod's request struct (fields in declaration order, None as null), and
/// a kept-alive connection (the answer is read by its Content-Length, not to the close).
/// </summary>
internal static class Kuutamoctl
{
    /// <summary>kuutamod's <c>MaintenanceOperation</c> as serde_json writes it.</summary>
    public static string MaintenanceBody(long? minimumLength, bool cancel, long? shutdownAt) =>
        $"{{\"minimum_length\":{Json(minimumLength)},\"cancel\":{(cancel ? "true" : "false")},\"shutdown_at\":{Json(shutdownAt)}}}";

    /// <summary>kneard's <c>ScheduleRestartOperation</c> as serde_json writes it.</summary>
    public static string ScheduleRestartBody(long? minimumLength, bool cancel, long? scheduleAt) =>
        $"{{\"minimum_length\":{Json(minimumLength)},\"cancel\":{(cancel ? "true" : "false")},\"schedule_at\":{Json(scheduleAt)}}}";

    public static async Task<Answer> SendAsync(string socketPath, string method, string path, string? body = null)
    {
        var host = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(socketPath)) + ":0";
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nhost: {host}\r\n");
        request.Append(body is null ? "\r\n" : $"content-length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()), deadline.Token);
        return await ReadAnswerAsync(socket, deadline.Token);
    }

    private static async Task<Answer> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).Single();
                var bodyBytes = received.Skip(Encoding.UTF8.GetByteCount(text[..(end + 4)])).ToArray();
                if (bodyBytes.Length >= length)
                {
                    var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    return new Answer(status, head, Encoding.UTF8.GetString(bodyBytes, 0, length));
                }
            }

            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"the server closed the connection before a whole answer: {text}");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static string Json(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    /// <summary>An answer, and what kuutamoctl reads of it.</summary>
    internal sealed record Answer(int Status, string Head, string Body)
    {
        /// <summary>kuutamod's <c>ApiResponse</c> (serde: both fields required, others ignored), as kuutamoctl parses every maintenance answer and error.</summary>
        public (int Status, string Message) ApiResponse()
        {
            using var json = JsonDocument.Parse(Body);
            return (json.RootElement.GetProperty("status").GetInt32(), json.RootElement.GetProperty("message").GetString()!);
        }

        /// <summary>kuutamod's <c>Validator</c> (<c>Name</c>, <c>Node</c>), or null for JSON null, as kneard-ctl parses it.</summary>
        public (string Name, string Node)? Validator()
        {
            using var json = JsonDocument.Parse(Body);
            return json.RootElement.ValueKind == JsonValueKind.Null
                ? null
                : (json.RootElement.GetProperty("Name").GetString()!, json.RootElement.GetProperty("Node").GetString()!);
        }
    }
}
