using System.Text.Json;

namespace NeardSim.Home;

/// <summary>Reads a JSON file of the home the way neard does: comments allowed, clear errors.</summary>
internal static class JsonFile
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    public static JsonDocument Parse(string path)
    {
        var name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new HomeFileException($"{name}: file not found at {path}");
        }
        catch (DirectoryNotFoundException)
        {
            throw new HomeFileException($"{name}: file not found at {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HomeFileException($"{name}: cannot read {path}: {e.Message}", e);
        }

        try
        {
            var document = JsonDocument.Parse(bytes, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new HomeFileException($"{name}: the top level must be a JSON object");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new HomeFileException($"{name}: not valid JSON: {e.Message}", e);
        }
    }
}
