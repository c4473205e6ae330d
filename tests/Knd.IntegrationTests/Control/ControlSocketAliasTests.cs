using System.Net.Sockets;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>kuutamod's socket name next to knd's: bound, replaced and refused by the same rules as knd's own.</summary>
public sealed class ControlSocketAliasTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("kc").FullName;

    private string KndPath => Path.Combine(_directory, "knd.sock");

    private string KuutamodPath => Path.Combine(_directory, "kuutamod.sock");

    [Fact]
    public void Bind_WithAlias_ServesKuutamodSockToo_Mode0600_AndDisposeRemovesBoth()
    {
        var socket = ControlSocket.Bind(KndPath, kuutamodAlias: true);

        Assert.Equal(KuutamodPath, socket.Alias?.Path);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(KuutamodPath));
        Assert.Equal([KndPath, KuutamodPath], Directory.GetFileSystemEntries(_directory).Order());
        Assert.True(socket.IsServerAddress($"http://unix:{socket.Alias!.BoundPath}"));

        socket.Dispose();

        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Bind_WithoutAlias_IsKndsSocketOnly()
    {
        using var socket = ControlSocket.Bind(KndPath);

        Assert.Null(socket.Alias);
        Assert.False(Path.Exists(KuutamodPath));
    }

    [Fact]
    public void Bind_SocketAlreadyNamedKuutamodSock_HasNoSecondOne()
    {
        using var socket = ControlSocket.Bind(KuutamodPath, kuutamodAlias: true);

        Assert.Null(socket.Alias);
        Assert.True(socket.IsKuutamodName);
        Assert.Equal([KuutamodPath], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Bind_StaleKuutamodSocket_IsReplaced()
    {
        var bound = Path.Combine(_directory, "crashed.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, KuutamodPath);
        }

        using var socket = ControlSocket.Bind(KndPath, kuutamodAlias: true);

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(KuutamodPath));
    }

    [Fact]
    public void Bind_KuutamodStillServingThisHome_IsRefused_AndKndsSocketIsNotLeftBehind()
    {
        using var kuutamod = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        kuutamod.Bind(new UnixDomainSocketEndPoint(KuutamodPath));
        kuutamod.Listen(1);

        var ex = Assert.Throws<ControlSocketException>(() => ControlSocket.Bind(KndPath, kuutamodAlias: true));

        Assert.StartsWith($"\"{KuutamodPath}\" is in use: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is a kuutamod still running on this home?", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(Path.Exists(KndPath));
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
