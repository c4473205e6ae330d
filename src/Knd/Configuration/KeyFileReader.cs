using System.Security.Cryptography;
using System.Text.Json;

namespace Knd.Configuration;

/// <summary>The public facts of a NEAR key file. The secret is checked for shape and never kept.</summary>
internal sealed record NearKeyFile(string Path, string AccountId, string PublicKey);

/// <summary>
/// Checks a NEAR key file (<c>{"account_id","public_key","secret_key"}</c>, nearcore's
/// <c>KeyFile</c>): a regular file, not accessible to group or others, well formed. Problems never
/// quote the file's content, so no part of a secret can reach an error line.
/// </summary>
internal static class KeyFileReader
{
    private const int MaxKeyFileBytes = 64 * 1024;
    private const string KeyPrefix = "ed25519:";
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode ReadableByGroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Reads <paramref name="path"/>; on failure <paramref name="problem"/> completes "the file ...".</summary>
    public static bool TryRead(string path, out NearKeyFile? key, out string? problem)
    {
        key = null;
        var kind = FileProbe.Stat(path, out var mode);
        if (kind != FileKind.Regular)
        {
            problem = FileProbe.Describe(kind);
            return false;
        }

        if ((mode & GroupOrOthers) != 0)
        {
            var what = (mode & ReadableByGroupOrOthers) != 0 ? "readable" : "writable or executable";
            problem = $"is {what} by group or others (mode {FormatMode(mode)}); chmod 600 it";
            return false;
        }

        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxKeyFileBytes)
            {
                problem = $"is larger than {MaxKeyFileBytes} bytes: not a key file";
                return false;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex is UnauthorizedAccessException ? "cannot be read: permission denied" : $"cannot be read: {ex.Message}";
            return false;
        }

        try
        {
            return TryParse(path, bytes, out key, out problem);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    private static bool TryParse(string path, byte[] bytes, out NearKeyFile? key, out string? problem)
    {
        key = null;
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        JsonDocument document;
        try
        {
            // neard strips comments when it reads a key file; accept what it accepts.
            document = JsonDocument.Parse(bytes.AsMemory(start), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            // The exception's message can quote the file's characters: report only the position.
            problem = $"is not a NEAR key file: not valid JSON (line {(ex.LineNumber ?? 0) + 1})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "is not a NEAR key file: expected a JSON object {\"account_id\", \"public_key\", \"secret_key\"}";
                return false;
            }

            var accountId = ReadString(root, "account_id", out problem);
            var publicKey = accountId is null ? null : ReadString(root, "public_key", out problem);
            if (accountId is null || publicKey is null)
            {
                return false;
            }

            if (!IsKey(publicKey))
            {
                problem = $"is not a NEAR key file: \"public_key\" must be \"{KeyPrefix}\" followed by the key";
                return false;
            }

            var hasSecret = root.TryGetProperty("secret_key", out var secret);
            var hasPrivate = root.TryGetProperty("private_key", out var privateKey);
            if (hasSecret == hasPrivate)
            {
                problem = hasSecret
                    ? "is not a NEAR key file: it has both \"secret_key\" and \"private_key\""
                    : "is not a NEAR key file: \"secret_key\" is missing";
                return false;
            }

            var secretValue = hasSecret ? secret : privateKey;
            if (secretValue.ValueKind != JsonValueKind.String || !IsKey(secretValue.GetString()!))
            {
                problem = $"is not a NEAR key file: \"{(hasSecret ? "secret_key" : "private_key")}\" must be a string \"{KeyPrefix}\" followed by the key";
                return false;
            }

            key = new NearKeyFile(path, accountId, publicKey);
            problem = null;
            return true;
        }
    }

    private static string? ReadString(JsonElement root, string name, out string? problem)
    {
        problem = null;
        if (!root.TryGetProperty(name, out var value))
        {
            problem = $"is not a NEAR key file: \"{name}\" is missing";
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            problem = $"is not a NEAR key file: \"{name}\" must be a non-empty string";
            return null;
        }

        return text;
    }

    private static bool IsKey(string value) =>
        value.StartsWith(KeyPrefix, StringComparison.Ordinal) && value.Length > KeyPrefix.Length
        && !ValueText.HasWhitespaceOrControl(value);
}
