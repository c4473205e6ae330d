using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Knd.Localnet;

/// <summary>
/// NEAR key files with fresh random keys, as <c>neard init</c> writes them:
/// <c>{"account_id","public_key","secret_key"}</c>, keys <c>ed25519:</c> + base58. Nothing checks the
/// cryptography (neard-sim does not), so the public key is random bytes too, not derived from the secret.
/// </summary>
internal static class KeyFiles
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Writes a new key file for <paramref name="accountId"/> with mode 0600 and returns its public key.</summary>
    public static string Write(string path, string accountId)
    {
        var publicKey = "ed25519:" + Base58(RandomNumberGenerator.GetBytes(32));
        var json = new JsonObject
        {
            ["account_id"] = accountId,
            ["public_key"] = publicKey,
            ["secret_key"] = "ed25519:" + Base58(RandomNumberGenerator.GetBytes(64)),
        }.ToJsonString();
        File.Delete(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }

        // The umask can only remove bits, but a file that existed with other bits must not keep them.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return publicKey;
    }

    /// <summary>Copies a key file, keeping mode 0600 (each host gets its own copy of the shared validator keys).</summary>
    public static void Copy(string source, string destination)
    {
        File.Copy(source, destination, overwrite: true);
        File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static string Base58(ReadOnlySpan<byte> bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var digits = new List<char>();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var remainder);
            digits.Add(Alphabet[(int)remainder]);
        }

        foreach (var b in bytes)
        {
            if (b != 0)
            {
                break;
            }

            digits.Add('1');
        }

        digits.Reverse();
        return new string([.. digits]);
    }
}
