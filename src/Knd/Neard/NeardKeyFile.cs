using System.Text.Json;

namespace Knd.Neard;

/// <summary>
/// A NEAR key file (<c>{"account_id","public_key","secret_key"}</c>, or <c>private_key</c> as
/// near-cli writes it), read as raw bytes so it can be copied as is. Only the public parts are
/// exposed; errors name the file and the problem, never the content.
/// </summary>
internal sealed class NeardKeyFile
{
    private NeardKeyFile(string path, byte[] content, string accountId, string publicKey)
    {
        Path = path;
        Content = content;
        AccountId = accountId;
        PublicKey = publicKey;
    }

    public string Path { get; }

    public string AccountId { get; }

    /// <summary>The public key as written, e.g. <c>ed25519:6DSj...</c>.</summary>
    public string PublicKey { get; }

    /// <summary>The file's bytes, secret included: only ever written to another 0600 file.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    public static NeardKeyFile Read(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NeardHomeException($"cannot read key file {path}: {ex.Message}", ex);
        }

        try
        {
            // Same leniency as neard, which strips comments before parsing key files.
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "not a JSON object");
            }

            var accountId = RequiredString(root, "account_id", path);
            var publicKey = RequiredString(root, "public_key", path);
            var hasSecret = root.TryGetProperty("secret_key", out var secret);
            var hasPrivate = root.TryGetProperty("private_key", out var privateKey);
            if (hasSecret == hasPrivate)
            {
                throw Invalid(path, hasSecret ? "both secret_key and private_key are present" : "secret_key is missing");
            }

            if ((hasSecret ? secret : privateKey).ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, "secret_key is not a string");
            }

            if (!publicKey.Contains(':', StringComparison.Ordinal))
            {
                throw Invalid(path, "public_key is not of the form <curve>:<base58>");
            }

            return new NeardKeyFile(path, content, accountId, publicKey);
        }
        catch (JsonException ex)
        {
            // JsonException's own message may quote the offending bytes, which could be key material.
            throw Invalid(path, $"invalid JSON at line {(ex.LineNumber ?? 0) + 1}");
        }
    }

    private static string RequiredString(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Invalid(path, $"{name} is missing or not a string");

    private static NeardHomeException Invalid(string path, string problem) => new($"{path} is not a valid NEAR key file: {problem}");
}
