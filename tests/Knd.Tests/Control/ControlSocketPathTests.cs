using Knd.Commands;

namespace Knd.Tests.Control;

public sealed class ControlSocketPathTests
{
    [Fact]
    public void Resolve_FlagWins()
    {
        var path = ControlSocketPath.Resolve("/run/a.sock", Env(("KND_CONTROL_SOCKET", "/run/b.sock")), out var error);

        Assert.Null(error);
        Assert.Equal("/run/a.sock", path);
    }

    [Fact]
    public void Resolve_KndVariableBeforeKuutamoVariable()
    {
        Assert.Equal("/run/b.sock", ControlSocketPath.Resolve(null, Env(("KND_CONTROL_SOCKET", "/run/b.sock"), ("KUUTAMO_CONTROL_SOCKET", "/run/c.sock")), out _));
        Assert.Equal("/run/c.sock", ControlSocketPath.Resolve(null, Env(("KUUTAMO_CONTROL_SOCKET", "/run/c.sock"), ("KND_NEARD_HOME", "/var/lib/neard")), out _));
    }

    [Fact]
    public void Resolve_FallsBackToKndSockInTheNeardHome()
    {
        Assert.Equal("/var/lib/neard/knd.sock", ControlSocketPath.Resolve(null, Env(("KND_NEARD_HOME", "/var/lib/neard")), out _));
        Assert.Equal("/srv/home/knd.sock", ControlSocketPath.Resolve(null, Env(("KUUTAMO_NEARD_HOME", "/srv/home")), out _));
    }

    [Fact]
    public void Resolve_EmptyVariablesCountAsUnset()
    {
        Assert.Equal("/srv/home/knd.sock", ControlSocketPath.Resolve(null, Env(("KND_CONTROL_SOCKET", string.Empty), ("KND_NEARD_HOME", "/srv/home")), out _));
    }

    [Fact]
    public void Resolve_NothingGiven_IsAUsageError()
    {
        Assert.Null(ControlSocketPath.Resolve(null, Env(), out var error));
        Assert.Equal("no control socket given: pass --control-socket PATH, or set KND_CONTROL_SOCKET or KND_NEARD_HOME", error);
        Assert.Null(ControlSocketPath.Resolve(string.Empty, Env(), out error));
        Assert.Equal("--control-socket: the path is empty", error);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
