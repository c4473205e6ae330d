using System.Security.Cryptography;

namespace Knd.Configuration;

/// <summary>
/// The secret every knd of one validator shares (<c>--cluster-secret-file</c>): the HMAC key of the
/// peer channel. Read at start and again on SIGHUP; a file that cannot be read or is unfit keeps the
/// previous secret. The bytes never leave this class except into an HMAC, and no message names them.
/// </summary>
internal sealed class ClusterSecret
{
    /// <summary>256 bits, as <c>openssl rand -hex 32</c> gives (64 characters): a guessable secret would let anyone steer the cluster.</summary>
    public const int MinBytes = 32;

    private const int MaxBytes = 4096;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _path;
    private volatile byte[] _key;

    private ClusterSecret(string path, byte[] key)
    {
        _path = path;
        _key = key;
    }

    /// <summary>A secret from bytes already in hand (tests, the localnet).</summary>
    public static ClusterSecret FromBytes(byte[] key) => new("(in memory)", key);

    /// <summary>Reads <paramref name="path"/>; on failure <paramref name="problem"/> completes "the file ..." without quoting its content.</summary>
    public static ClusterSecret? TryRead(string path, out string? problem) =>
        TryReadKey(path, out var key, out problem) ? new ClusterSecret(path, key!) : null;

    /// <summary>Re-reads the file (SIGHUP). Returns an error message (naming the file, never its content) or null.</summary>
    public string? Reload()
    {
        if (!TryReadKey(_path, out var key, out var problem))
        {
            return $"could not re-read the cluster secret file {_path}: it {problem}; keeping the previous secret";
        }

        _key = key!;
        return null;
    }

    /// <summary>HMAC-SHA256 of <paramref name="message"/> under the current secret.</summary>
    public byte[] Mac(ReadOnlySpan<byte> message) => HMACSHA256.HashData(_key, message);

    private static bool TryReadKey(string path, out byte[]? key, out string? problem)
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
            problem = $"is accessible by group or others (mode {KeyFileReader.FormatMode(mode)}); chmod 600 it";
            return false;
        }

        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxBytes)
            {
                problem = $"is larger than {MaxBytes} bytes: not a cluster secret";
                return false;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e is UnauthorizedAccessException ? "cannot be read: permission denied" : $"cannot be read: {e.GetType().Name}";
            return false;
        }

        // A trailing newline (echo, an editor) is not part of the secret, so every host reads the same key.
        var length = bytes.Length;
        while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t')
        {
            length--;
        }

        if (length < MinBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            problem = $"holds {length} bytes; the cluster secret needs at least {MinBytes} (e.g. openssl rand -hex 32 > FILE)";
            return false;
        }

        key = bytes[..length];
        CryptographicOperations.ZeroMemory(bytes);
        problem = null;
        return true;
    }

    /// <summary>Never the secret: a log line or exception that prints this object shows only the file.</summary>
    public override string ToString() => $"cluster secret from {_path}";
}
