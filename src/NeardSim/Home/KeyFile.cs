namespace NeardSim.Home;

/// <summary>
/// NEAR's KeyFile (<c>{"account_id","public_key","secret_key"}</c>, <c>private_key</c> accepted as an
/// alias). The secret is checked for presence only and never kept, so it cannot leak into logs.
/// </summary>
internal sealed record KeyFile(string AccountId, string PublicKey)
{
    public static KeyFile Load(string path)
    {
        using var document = JsonFile.Parse(path);
        var name = Path.GetFileName(path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new HomeFileException($"{name}: duplicate field `{property.Name}`");
            }
        }

        if (seen.Contains("secret_key") && seen.Contains("private_key"))
        {
            // serde treats an alias and its field as the same key.
            throw new HomeFileException($"{name}: duplicate field `secret_key` (both secret_key and private_key are present)");
        }

        var root = new JsonObjectReader(document.RootElement, name + ": ");
        var publicKey = root.RequiredString("public_key");
        _ = root.String("secret_key") ?? root.String("private_key")
            ?? throw new HomeFileException($"{name}: missing field `secret_key`");
        return new KeyFile(root.RequiredString("account_id"), publicKey);
    }

    /// <summary>Loads the key when the file exists; null when it does not.</summary>
    public static KeyFile? LoadOptional(string path) => File.Exists(path) ? Load(path) : null;
}
