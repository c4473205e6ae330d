using System.Text.Json;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>
/// Reads a request body into its typed record (<see cref="IControlBody{TSelf}"/>) with the
/// source-generated strict contract, turning every way it can be wrong into one line that names
/// the field. The Content-Type is not checked: kuutamoctl sends none. An empty body is the record's
/// <c>Empty</c>; JSON null for a field counts as absent.
/// </summary>
internal static class ControlBody
{
    public static async ValueTask<T?> ReadAsync<T>(HttpContext context)
        where T : class, IControlBody<T>
    {
        // Kestrel enforces the size limit the control middleware set, with or without a
        // Content-Length: an over-long body fails the read with a 413.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = Parse<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return body.Check() is { } problem ? throw new ControlRequestException(problem) : body;
    }

    /// <summary>The body as <typeparamref name="T"/>, or a <see cref="ControlRequestException"/> saying what is wrong with it.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> bytes)
        where T : class, IControlBody<T>
    {
        var start = bytes.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            return T.Empty;
        }

        if (bytes[start] != (byte)'{')
        {
            throw new ControlRequestException(Describe(bytes[start]) is { } kind
                ? $"the body must be a JSON object, not {kind}"
                : $"the body is not valid JSON: it does not start with a JSON value (at line 1, byte {start + 1})");
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, T.JsonType) ?? throw new ControlRequestException("the body must be a JSON object, not null");
        }
        catch (JsonException ex)
        {
            throw new ControlRequestException(Describe(ex, T.Fields), ex);
        }
    }

    /// <summary>
    /// The one line for a <see cref="JsonException"/>, built from its path and kind only: knd runs
    /// with resource keys instead of exception messages (UseSystemResourceKeys), so the text of
    /// System.Text.Json's message cannot be relied on.
    /// </summary>
    private static string Describe(JsonException ex, IReadOnlyList<ControlField> fields)
    {
        var at = $"line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}";
        if (ex.InnerException is JsonException syntax)
        {
            // The reader's own message, without the position it appends (given once, below).
            var reason = syntax.Message.Split(" LineNumber:", 2)[0].ReplaceLineEndings(" ").Trim().TrimEnd('.');
            return $"the body is not valid JSON: {reason} (at {at})";
        }

        if (FieldOf(ex.Path) is not { } name)
        {
            return $"the body must be a JSON object of the fields {Known(fields)} (at {at})";
        }

        if (fields.FirstOrDefault(f => f.Name == name) is not { } field)
        {
            return fields.Count == 0
                ? $"unknown field {ValueText.Quote(name)}: this request takes no fields"
                : $"unknown field {ValueText.Quote(name)}; known fields: {Known(fields)}";
        }

        // A value of the wrong type fails inside its converter (an inner exception); a known field
        // that fails on its own is a repeated one (AllowDuplicateProperties = false).
        return ex.InnerException is null
            ? $"field {ValueText.Quote(name)} is given twice"
            : $"field {ValueText.Quote(name)} must be {field.Expected}";
    }

    /// <summary>The top-level field a path such as <c>$.kind</c>, <c>$['a b']</c> or <c>$.kind[0]</c> names.</summary>
    private static string? FieldOf(string? path)
    {
        if (path is null || !path.StartsWith('$') || path.Length < 2)
        {
            return null;
        }

        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = path.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : path[3..end];
        }

        if (path[1] != '.')
        {
            return null;
        }

        var rest = path[2..];
        var stop = rest.IndexOfAny(['.', '[']);
        return stop < 0 ? rest : rest[..stop];
    }

    private static string Known(IReadOnlyList<ControlField> fields) => string.Join(", ", fields.Select(f => f.Name));

    private static string? Describe(byte first) => first switch
    {
        (byte)'[' => "an array",
        (byte)'"' => "a string",
        (byte)'t' or (byte)'f' => "a boolean",
        (byte)'n' => "null",
        (byte)'-' or (>= (byte)'0' and <= (byte)'9') => "a number",
        _ => null,
    };
}

/// <summary>A control request the daemon refuses to act on (400); the message is one line saying why.</summary>
internal sealed class ControlRequestException : Exception
{
    public ControlRequestException(string message)
        : base(message)
    {
    }

    public ControlRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlRequestException()
    {
    }
}
