using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class RunOptionsPathTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_NoNeardHome_FailsAsMissing()
    {
        _f.Flags.Remove("neard-home");

        Assert.Equal("--neard-home: missing: set --neard-home or KND_NEARD_HOME (kuutamod: KUUTAMO_NEARD_HOME)", _f.ParseError());
    }

    [Fact]
    public void Parse_NeardHomeDoesNotExist_Fails()
    {
        var missing = Path.Combine(_f.Root, "no-such-home");
        _f.Set("neard-home", missing);

        Assert.Equal($"--neard-home: \"{missing}\" does not exist", _f.ParseError());
    }

    [Fact]
    public void Parse_NeardHomeIsAFile_Fails()
    {
        _f.Set("neard-home", Path.Combine(_f.Home, "config.json"));

        Assert.EndsWith("is a file, not a directory", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeardHomeWithoutConfigJson_Fails()
    {
        File.Delete(Path.Combine(_f.Home, "config.json"));

        Assert.Equal($"--neard-home: \"{_f.Home}\" has no config.json (not a neard home? run neard init first)", _f.ParseError());
    }

    [Fact]
    public void Parse_RelativeNeardHome_IsMadeAbsolute()
    {
        _f.Set("neard-home", Path.GetRelativePath(Environment.CurrentDirectory, _f.Home) + "/");

        Assert.Equal(_f.Home, _f.ParseValid().NeardHome);
    }

    [Fact]
    public void Parse_ControlSocketTooLongForSockaddrUn_Fails()
    {
        var path = Path.Combine(_f.Root, new string('s', 110) + ".sock");
        _f.Set("control-socket", path);

        var error = _f.ParseError();

        Assert.StartsWith("--control-socket: ", error, StringComparison.Ordinal);
        Assert.Contains("a unix socket path must fit in 107 bytes (sockaddr_un)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ControlSocketDirectoryMissing_Fails()
    {
        _f.Set("control-socket", Path.Combine(_f.Root, "missing", "knd.sock"));

        Assert.Equal($"--control-socket: the directory \"{Path.Combine(_f.Root, "missing")}\" does not exist", _f.ParseError());
    }

    [Fact]
    public void Parse_ControlSocketIsARegularFile_IsNotReplaced()
    {
        _f.Set("control-socket", Path.Combine(_f.Home, "config.json"));

        Assert.Contains("exists and is a file; knd replaces only a socket", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeardBinNotOnPath_FailsNamingBinary()
    {
        _f.Set("neard-bin", "neard-missing");

        Assert.Equal("--neard-bin: \"neard-missing\" was not found on PATH; give its path", _f.ParseError());
    }

    [Fact]
    public void Parse_DefaultNeardBinWithoutPath_FailsNamingNeard()
    {
        _f.Env.Remove("PATH");

        Assert.Equal("--neard-bin (default): \"neard\" was not found on PATH; give its path", _f.ParseError());
    }

    [Fact]
    public void Parse_NeardBinPathNotExecutable_Fails()
    {
        File.SetUnixFileMode(_f.NeardPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _f.Set("neard-bin", _f.NeardPath);

        Assert.Equal($"--neard-bin: \"{_f.NeardPath}\" is not executable (mode 0600)", _f.ParseError());
    }

    [Fact]
    public void Parse_NeardBinPathMissing_Fails()
    {
        _f.Set("neard-bin", "/nonexistent/neard");

        Assert.Equal("--neard-bin: \"/nonexistent/neard\" does not exist", _f.ParseError());
    }

    [Fact]
    public void Parse_NeardBinOnPathSkipsNonExecutable_FindsLaterEntry()
    {
        var first = Directory.CreateDirectory(Path.Combine(_f.Root, "first")).FullName;
        RunOptionsFixture.WriteFile(Path.Combine(first, "neard"), "not executable");
        _f.Env["PATH"] = first + ":" + _f.Bin;

        Assert.Equal(_f.NeardPath, _f.ParseValid().NeardBin);
    }

    [Fact]
    public void Parse_LogDirMissing_FailsAndIsNotCreated()
    {
        var logs = Path.Combine(_f.Root, "logs");
        _f.Set("log-dir", logs);

        Assert.Equal($"--log-dir: \"{logs}\" does not exist; create it first", _f.ParseError());
        Assert.False(Directory.Exists(logs));
    }

    [Fact]
    public void Parse_EmptyPath_Fails()
    {
        _f.Set("validator-key", "");

        Assert.Equal("--validator-key: the path is empty", _f.ParseError());
    }
}
