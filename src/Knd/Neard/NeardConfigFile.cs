using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.Neard;

/// <summary>
/// neard's config.json, edited as a JSON tree so every field knd does not know (and their order)
/// survives, and replaced atomically with its mode kept.
/// </summary>
internal static class NeardConfigFile
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,

        // A config file, not HTML: keep '+', '<' and non-ASCII text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonObject Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NeardHomeException($"cannot read {path}: {ex.Message}", ex);
        }

        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip };
            return JsonNode.Parse(text, documentOptions: options) as JsonObject
                ?? throw new NeardHomeException($"{path} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new NeardHomeException($"{path} is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})", ex);
        }
    }

    /// <summary>Reads, applies <paramref name="edit"/>, and writes back atomically.</summary>
    public static void Update(string path, Action<JsonObject> edit)
    {
        var root = Read(path);
        edit(root);
        Write(path, root);
    }

    public static void Write(string path, JsonObject root)
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                mode = File.GetUnixFileMode(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A missing config.json is reported by the read; keep the usual 0644 here.
        }

        var text = root.ToJsonString(WriteOptions) + "\n";
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text), mode);
    }

    /// <summary>The object at <paramref name="name"/>, created when absent; an error when it is something else.</summary>
    public static JsonObject GetOrAddObject(JsonObject parent, string name, string path)
    {
        switch (parent[name])
        {
            case JsonObject existing:
                return existing;
            case null:
                var created = new JsonObject();
                parent[name] = created;
                return created;
            default:
                throw new NeardHomeException($"{path}: \"{name}\" is not a JSON object");
        }
    }
}
