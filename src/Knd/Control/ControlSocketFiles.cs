using System.Net.Sockets;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>The file-system steps of <see cref="ControlSocket.Bind(string)"/>: what may be replaced, the private directory, cleanup.</summary>
internal static class ControlSocketFiles
{
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Throws unless <paramref name="path"/> is missing or a socket nobody listens on.</summary>
    public static void CheckReplaceable(string path)
    {
        var kind = FileProbe.Kind(path);
        if (kind == FileKind.Missing)
        {
            return;
        }

        if (kind != FileKind.Socket)
        {
            throw new ControlSocketException($"{Quote(path)} exists and {FileProbe.Describe(kind)}; knd replaces only a stale socket");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody listens: a socket left behind by a knd that did not exit cleanly.
            return;
        }
        catch (SocketException ex)
        {
            throw new ControlSocketException($"{Quote(path)} is a socket knd cannot probe ({ex.Message}); remove it if no other knd uses it");
        }

        throw new ControlSocketException($"{Quote(path)} is in use: another process (a second knd on this neard home?) accepts connections on it");
    }

    /// <summary>A new, empty directory next to the socket, mode 0700, that nobody else can enter.</summary>
    public static string CreatePrivateDirectory(string directory)
    {
        // Short, so the bind path is no longer than the target whenever the target's file name has
        // 8 or more characters ("knd.sock"): "/.kXXXX/s" against "/knd.sock".
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (var attempt = 0; attempt < 32; attempt++)
        {
            // Not a secret: mkdir fails on an existing name, and the directory is 0700. A crypto RNG
            // here would load OpenSSL into the daemon (about 5 MB of resident memory) for nothing.
            var candidate = System.IO.Path.Combine(directory, ".k" + new string(Random.Shared.GetItems(Alphabet.AsSpan(), 4)));
            if (ControlSocketNative.MakeDirectory(candidate, PrivateDirectoryMode, out var errno) == 0)
            {
                // mkdir applies the umask, which can only remove bits; put the owner's back.
                File.SetUnixFileMode(candidate, PrivateDirectoryMode);
                return candidate;
            }

            if (errno != ControlSocketNative.Eexist)
            {
                throw new ControlSocketException($"cannot create a private directory in {Quote(directory)} for the control socket: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); the directory must be writable by knd's user");
            }
        }

        throw new ControlSocketException($"cannot create a private directory in {Quote(directory)} for the control socket: every name tried exists");
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover socket file is replaced by the next start.
        }
    }

    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: an empty hidden directory is harmless.
        }
    }

    private static string Quote(string path) => ValueText.Quote(path);
}
