using System.Text.Json;

namespace Knd.Configuration;

/// <summary>
/// Reads the <c>--config</c> file: one JSON object whose keys are option names without dashes
/// and whose values are strings (or, for list options, arrays of strings). <c>null</c> leaves an
/// option unset. Unknown keys are errors, so a typo never silently falls back to a default.
/// </summary>
internal static class ConfigFileReader
{
    private const int MaxConfigBytes = 1024 * 1024;

    /// <summary>The values by option name. Throws <see cref="RunOptionException"/> on the first problem.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Read(string path, OptionOrigin origin)
    {
        var flag = RunOptionCatalog.Config.Flag;
        var where = origin.Describe();
        var kind = FileProbe.Kind(path);
        if (kind != FileKind.Regular)
        {
            throw Error(flag, where, $"{ValueText.Quote(path)} {FileProbe.Describe(kind)}");
        }

        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxConfigBytes)
            {
                throw Error(flag, where, $"{ValueText.Quote(path)} is larger than {MaxConfigBytes} bytes");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Error(flag, where, $"{ValueText.Quote(path)} cannot be read: {ex.Message}");
        }

        JsonDocument document;
        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            document = JsonDocument.Parse(bytes.AsMemory(start), options);
        }
        catch (JsonException ex)
        {
            throw Error(flag, where, $"{ValueText.Quote(path)} is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Error(flag, where, $"{ValueText.Quote(path)} must hold a JSON object, e.g. {{\"neard-home\": \"/var/lib/neard\"}}");
            }

            var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var spec = RunOptionCatalog.Find(property.Name);
                if (spec is null || !spec.InConfigFile)
                {
                    throw Error(flag, where, $"unknown key {ValueText.Quote(property.Name)} in {ValueText.Quote(path)}{Hint(property.Name)}");
                }

                if (values.ContainsKey(spec.Name))
                {
                    throw Error(flag, where, $"key {ValueText.Quote(property.Name)} appears twice in {ValueText.Quote(path)}");
                }

                if (ReadValue(spec, property.Value, OptionOrigin.File(path)) is { } value)
                {
                    values[spec.Name] = value;
                }
            }

            return values;
        }
    }

    private static IReadOnlyList<string>? ReadValue(RunOptionSpec spec, JsonElement value, OptionOrigin origin)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return [value.GetString()!];
            case JsonValueKind.Number when spec.IsCount:
                // The parser checks the text like a flag's, so 1.5 or 1e3 fail with the option named.
                return [value.GetRawText()];
            case JsonValueKind.True or JsonValueKind.False when spec.IsFlag:
                return [value.ValueKind == JsonValueKind.True ? "true" : "false"];
            case JsonValueKind.Array when spec.IsList:
                var items = new List<string>();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw Error(spec.Flag, origin.Describe(), $"expected an array of strings, found an element of type {Describe(item.ValueKind)}");
                    }

                    items.Add(item.GetString()!);
                }

                return items;
            default:
                var expected = spec.IsList ? "a string or an array of strings" : spec.IsFlag ? "true or false" : "a string";
                throw Error(spec.Flag, origin.Describe(), $"expected {expected}, found {Describe(value.ValueKind)}");
        }
    }

    private static string Hint(string key)
    {
        var normalized = key.TrimStart('-').Replace('_', '-').ToLowerInvariant();
        return RunOptionCatalog.Find(normalized) is { InConfigFile: true } spec ? $" (did you mean \"{spec.Name}\"?)" : string.Empty;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number (write durations as strings, e.g. \"10s\")",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static RunOptionException Error(string option, string? origin, string problem) => new(new RunOptionError(option, origin, problem));
}
