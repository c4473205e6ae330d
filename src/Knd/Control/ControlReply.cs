using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Knd.Control;

/// <summary>A control answer: a status code and a JSON body, ended by a newline for shells.</summary>
internal sealed class ControlReply
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private ControlReply(int status, byte[] body, string? allow = null)
    {
        Status = status;
        Body = body;
        Allow = allow;
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string? Allow { get; }

    public static ControlReply Json<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(value, type));

    public static ControlReply Error(int status, string message, string? allow = null) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(new ControlError(message), ControlJsonContext.Default.ControlError), allow);

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = Status;
        response.ContentType = "application/json";
        response.ContentLength = Body.Length + NewLine.Length;
        if (Allow is not null)
        {
            response.Headers.Allow = Allow;
        }

        await response.Body.WriteAsync(Body, cancellationToken);
        await response.Body.WriteAsync(NewLine, cancellationToken);
    }
}
