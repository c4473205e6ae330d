using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Knd.Control;

/// <summary>One answer of the control socket: the status code and the JSON body as sent.</summary>
internal sealed record ControlCall(int Status, string Body)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The body without its trailing newline, for <c>--json</c>.</summary>
    public string Json => Body.TrimEnd('\r', '\n');

    /// <summary>The one-line reason of a failed call: the problem's <c>detail</c> (or an older knd's <c>error</c>), else the status and body.</summary>
    public string Error
    {
        get
        {
            try
            {
                if (JsonSerializer.Deserialize(Body, ControlJsonContext.Default.ControlErrorView) is { Reason: { } reason })
                {
                    return reason.ReplaceLineEndings(" ");
                }
            }
            catch (JsonException)
            {
                // Not an error shape knd knows: show what came.
            }

            var text = Json.ReplaceLineEndings(" ");
            return $"HTTP {Status}: {(text.Length > 200 ? text[..200] + "..." : text)}";
        }
    }

    /// <summary>The body as <typeparamref name="T"/>; throws <see cref="JsonException"/> naming the problem when it is not.</summary>
    public T Read<T>(JsonTypeInfo<T> type) => JsonSerializer.Deserialize(Body, type)!;
}
