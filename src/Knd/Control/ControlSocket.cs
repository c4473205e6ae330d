using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>
/// The listening unix socket of the control CLI, created mode 0600 with no window in which anyone
/// else could connect. bind(2) creates the socket file with the process umask, and changing the
/// umask is process-wide (a file or directory another thread creates meanwhile would get the wrong
/// mode), so instead the socket is bound inside a fresh 0700 directory next to the target, chmod-ed
/// to 0600 there, and renamed into place: rename(2) is atomic, so the path shows either the stale
/// socket it replaces or ours, already 0600. The rename also needs no delete-then-bind window.
/// </summary>
internal sealed class ControlSocket : IDisposable
{
    private const int MaxSocketPathBytes = 107;
    private const int Backlog = 16;
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly (ulong Device, ulong Inode)? _identity;
    private readonly int _listenFd;
    private bool _handedOff;
    private bool _disposed;

    private ControlSocket(string path, string boundPath, int listenFd)
    {
        Path = path;
        BoundPath = boundPath;
        _listenFd = listenFd;
        _identity = ControlSocketNative.Identity(path);
    }

    /// <summary>The socket's path, where clients connect.</summary>
    public string Path { get; }

    /// <summary>
    /// The private path the socket was bound at before the rename. Kestrel reports it as the
    /// listener's address (<c>http://unix:...</c>): skip it when logging the exporter's addresses.
    /// </summary>
    public string BoundPath { get; }

    /// <summary>Whether a listening address Kestrel reports is this socket (under its private bind path).</summary>
    public bool IsServerAddress(string address) => address.Contains(BoundPath, StringComparison.Ordinal);

    /// <summary>
    /// Binds and listens at <paramref name="path"/>, replacing a stale socket left by a crashed knd.
    /// Throws <see cref="ControlSocketException"/> when the path is anything but a missing file or a
    /// stale socket (a live one means another process serves it), or the socket cannot be made.
    /// </summary>
    public static ControlSocket Bind(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full) ?? throw new ControlSocketException($"{Quote(full)} has no directory");
        CheckReplaceable(full);
        var privateDirectory = CreatePrivateDirectory(directory);
        var boundPath = System.IO.Path.Combine(privateDirectory, "s");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (Encoding.UTF8.GetByteCount(boundPath) > MaxSocketPathBytes)
            {
                throw new ControlSocketException(
                    $"{Quote(full)}: the directory's path is too long to create the socket safely (it is bound first at {Quote(boundPath)}, over {MaxSocketPathBytes} bytes); use a shorter directory or a file name of at least 8 characters");
            }

            socket.Bind(new UnixDomainSocketEndPoint(boundPath));
            File.SetUnixFileMode(boundPath, SocketMode);
            socket.Listen(Backlog);

            // Checked again right before the rename, which would replace anything.
            CheckReplaceable(full);
            ControlSocketNative.Rename(boundPath, full);
            var fd = ControlSocketNative.DuplicateCloseOnExec(socket.Handle);
            return fd < 0
                ? throw new ControlSocketException($"{Quote(full)}: cannot duplicate the listening socket")
                : new ControlSocket(full, boundPath, fd);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException && ex is not ControlSocketException)
        {
            throw new ControlSocketException($"cannot create the control socket {Quote(full)}: {ex.Message}", ex);
        }
        finally
        {
            socket.Dispose();
            TryDelete(boundPath);
            TryDeleteDirectory(privateDirectory);
        }
    }

    /// <summary>
    /// The listening socket's descriptor, for Kestrel's <c>ListenHandle</c>. Kestrel does not own
    /// such a handle (it wraps it with ownsHandle: false): this object closes it on
    /// <see cref="Dispose"/>, which must come after the server has stopped. Can be taken once.
    /// </summary>
    public ulong TakeListenHandle()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_handedOff)
        {
            throw new InvalidOperationException("the control socket's handle was already handed to a server");
        }

        _handedOff = true;
        return (ulong)_listenFd;
    }

    /// <summary>
    /// Closes the listening socket, so that a client gets "refused" at once instead of waiting in
    /// the backlog, and removes the socket file, unless another process has meanwhile put its own
    /// in its place.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ControlSocketNative.Close(_listenFd);

        if (_identity is { } ours && ControlSocketNative.Identity(Path) == ours)
        {
            TryDelete(Path);
        }
    }

    private static void CheckReplaceable(string path)
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

    private static string CreatePrivateDirectory(string directory)
    {
        // Short, so the bind path is no longer than the target whenever the target's file name has
        // 8 or more characters ("knd.sock"): "/.kXXXX/s" against "/knd.sock".
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var candidate = System.IO.Path.Combine(directory, ".k" + RandomNumberGenerator.GetString(Alphabet, 4));
            if (ControlSocketNative.MakeDirectory(candidate, PrivateDirectoryMode, out var errno) == 0)
            {
                // mkdir applies the umask, which can only remove bits; put the owner's back.
                File.SetUnixFileMode(candidate, PrivateDirectoryMode);
                return candidate;
            }

            if (errno != ControlSocketNative.Eexist)
            {
                throw new ControlSocketException($"cannot create a private directory in {Quote(directory)} for the control socket (errno {errno})");
            }
        }

        throw new ControlSocketException($"cannot create a private directory in {Quote(directory)} for the control socket: every name tried exists");
    }

    private static void TryDelete(string path)
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

    private static void TryDeleteDirectory(string path)
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
