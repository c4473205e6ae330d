using System.Net.Sockets;
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
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly (ulong Device, ulong Inode)? _identity;
    private readonly int _listenFd;
    private bool _handedOff;
    private bool _disposed;

    private ControlSocket(string path, string boundPath, int listenFd, (ulong Device, ulong Inode)? identity)
    {
        Path = path;
        BoundPath = boundPath;
        _listenFd = listenFd;
        _identity = identity;
    }

    /// <summary>The socket's path, where clients connect.</summary>
    public string Path { get; }

    /// <summary>
    /// The private path the socket was bound at before the rename. Kestrel reports it as the
    /// listener's address (<c>http://unix:...</c>): skip it when logging the exporter's addresses.
    /// </summary>
    public string BoundPath { get; }

    /// <summary>Whether a listening address Kestrel reports is this socket (under its private bind path).</summary>
    public bool IsServerAddress(string address) => address.Contains(BoundPath, StringComparison.Ordinal) || Alias?.IsServerAddress(address) == true;

    /// <summary>kuutamod's socket name: kuutamod always served <c>&lt;neard-home&gt;/kuutamod.sock</c>, and kuutamoctl's default is <c>/var/lib/neard/kuutamod.sock</c>.</summary>
    public const string KuutamodFileName = "kuutamod.sock";

    /// <summary>
    /// The second socket, <see cref="KuutamodFileName"/> next to this one, that <see cref="Bind(string, bool)"/>
    /// makes for kuutamoctl and kuutamod-era scripts; null when there is none.
    /// </summary>
    public ControlSocket? Alias { get; private set; }

    /// <summary>Whether this socket carries kuutamod's name (its clients may expect kuutamod's answers).</summary>
    public bool IsKuutamodName => System.IO.Path.GetFileName(Path) == KuutamodFileName;

    /// <summary>
    /// Binds <paramref name="path"/> as <see cref="Bind(string)"/>, and with
    /// <paramref name="kuutamodAlias"/> also <see cref="KuutamodFileName"/> in the same directory
    /// (unless that is the path itself), by the same rules: a stale socket there is replaced, anything
    /// else (a live kuutamod on this home, a file) is refused and nothing is left bound.
    /// </summary>
    public static ControlSocket Bind(string path, bool kuutamodAlias)
    {
        var socket = Bind(path);
        if (!kuutamodAlias || socket.IsKuutamodName)
        {
            return socket;
        }

        try
        {
            socket.Alias = Bind(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(socket.Path)!, KuutamodFileName));
            return socket;
        }
        catch (ControlSocketException ex)
        {
            socket.Dispose();
            throw new ControlSocketException($"{ex.Message} (knd also serves kuutamoctl on kuutamod's socket name next to its own; is a kuutamod still running on this home?)", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds and listens at <paramref name="path"/>, replacing a stale socket left by a crashed knd.
    /// Throws <see cref="ControlSocketException"/> when the path is anything but a missing file or a
    /// stale socket (a live one means another process serves it), or the socket cannot be made.
    /// </summary>
    public static ControlSocket Bind(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full) ?? throw new ControlSocketException($"{Quote(full)} has no directory");
        ControlSocketFiles.CheckReplaceable(full);
        var privateDirectory = ControlSocketFiles.CreatePrivateDirectory(directory);
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

            // The inode survives the rename: it tells our socket file from one put there later.
            var identity = ControlSocketNative.Identity(boundPath);

            // Checked again right before the rename, which would replace anything.
            ControlSocketFiles.CheckReplaceable(full);
            ControlSocketNative.Rename(boundPath, full);
            var fd = ControlSocketNative.DuplicateCloseOnExec(socket.Handle);
            return fd < 0
                ? throw new ControlSocketException($"{Quote(full)}: cannot duplicate the listening socket")
                : new ControlSocket(full, boundPath, fd, identity);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException && ex is not ControlSocketException)
        {
            throw new ControlSocketException($"cannot create the control socket {Quote(full)}: {ex.Message}", ex);
        }
        finally
        {
            socket.Dispose();
            ControlSocketFiles.TryDelete(boundPath);
            ControlSocketFiles.TryDeleteDirectory(privateDirectory);
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
        Alias?.Dispose();
        ControlSocketNative.Close(_listenFd);

        if (_identity is { } ours && ControlSocketNative.Identity(Path) == ours)
        {
            ControlSocketFiles.TryDelete(Path);
        }
    }

    private static string Quote(string path) => ValueText.Quote(path);
}
