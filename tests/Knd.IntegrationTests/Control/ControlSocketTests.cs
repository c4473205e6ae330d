using System.Net.Sockets;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>The socket file: created 0600, stale ones replaced, anything else refused, removed on exit.</summary>
public sealed class ControlSocketTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("kc").FullName;

    private string SocketPath => Path.Combine(_directory, "knd.sock");

    [Fact(Timeout = 30_000)]
    public async Task Start_SocketIsMode0600_AndNoPrivateDirectoryIsLeft()
    {
        await using var server = await ControlTestServer.StartAsync(_directory);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(server.SocketPath));
        Assert.Equal([server.SocketPath], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Bind_InAWorldWritableDirectory_SocketIsStill0600()
    {
        File.SetUnixFileMode(_directory, (UnixFileMode)0x1FF);

        using var socket = ControlSocket.Bind(SocketPath);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bind_StaleSocketFromACrashedKnd_IsReplaced()
    {
        // .NET removes a socket file when the socket is disposed; a killed knd does not. Moving the
        // file away from the path it was bound at leaves it behind, as a crash would.
        var bound = Path.Combine(_directory, "crashed.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, SocketPath);
        }

        Assert.True(Path.Exists(SocketPath));
        await using var server = await ControlTestServer.StartAsync(_directory);
        using var client = server.Client();

        var call = await client.GetAsync(ControlRoutes.Status, CancellationToken.None);

        Assert.Equal(200, call.Status);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public void Bind_RegularFileAtThePath_IsRefusedAndKept()
    {
        File.WriteAllText(SocketPath, "operator's file");

        var ex = Assert.Throws<ControlSocketException>(() => ControlSocket.Bind(SocketPath));

        Assert.Equal($"\"{SocketPath}\" exists and is a file; knd replaces only a stale socket", ex.Message);
        Assert.Equal("operator's file", File.ReadAllText(SocketPath));
        Assert.Equal([SocketPath], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Bind_DirectoryAtThePath_IsRefused()
    {
        Directory.CreateDirectory(SocketPath);

        var ex = Assert.Throws<ControlSocketException>(() => ControlSocket.Bind(SocketPath));

        Assert.Contains("is a directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SocketSomebodyServes_IsRefused()
    {
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(SocketPath));
        live.Listen(1);

        var ex = Assert.Throws<ControlSocketException>(() => ControlSocket.Bind(SocketPath));

        Assert.Equal($"\"{SocketPath}\" is in use: another process (a second knd on this neard home?) accepts connections on it", ex.Message);
    }

    [Fact]
    public void Dispose_RemovesTheSocketFile()
    {
        var socket = ControlSocket.Bind(SocketPath);
        Assert.True(Path.Exists(SocketPath));

        socket.Dispose();

        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public void Dispose_LeavesASocketThatReplacedOurs()
    {
        var first = ControlSocket.Bind(SocketPath);
        File.Delete(SocketPath);
        using var second = ControlSocket.Bind(SocketPath);

        first.Dispose();

        Assert.True(Path.Exists(SocketPath));
    }

    [Fact]
    public void Bind_PathWhosePrivateBindPathWouldNotFit_IsRefusedClearly()
    {
        // The target fits in sockaddr_un (107 bytes) but "<dir>/.kXXXX/s" does not.
        var name = "s";
        var deep = Path.Combine(_directory, new string('d', 104 - _directory.Length - 1 - name.Length - 1));
        Directory.CreateDirectory(deep);
        var path = Path.Combine(deep, name);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(path) <= 107);

        var ex = Assert.Throws<ControlSocketException>(() => ControlSocket.Bind(path));

        Assert.Contains("too long to create the socket safely", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(deep));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
