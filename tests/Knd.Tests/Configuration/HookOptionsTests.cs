using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

/// <summary>Issue 15 item 11: --on-role-change, --pre-promote and --hook-timeout, from flag, KND_* variable and config file; one line naming the option on error.</summary>
[SupportedOSPlatform("linux")]
public sealed class HookOptionsTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Defaults_NoHooks_NoPrePromotePhase()
    {
        var o = _f.ParseValid();

        Assert.Null(o.Hooks.OnRoleChange);
        Assert.Null(o.Hooks.PrePromote);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Hooks.Timeout);
        Assert.Null(_f.ParseValidTimings().PrePromoteTimeout);
    }

    [Fact]
    public void Flags_SetBothHooks_AndThePrePromoteBoundReachesTheMachine()
    {
        _f.Set("on-role-change", "/usr/local/bin/vip.sh \"$KND_ROLE\"");
        _f.Set("pre-promote", "/usr/local/bin/fence-old-leader");
        _f.Set("hook-timeout", "5s");

        var o = _f.ParseValid();

        Assert.Equal("/usr/local/bin/vip.sh \"$KND_ROLE\"", o.Hooks.OnRoleChange);
        Assert.Equal("/usr/local/bin/fence-old-leader", o.Hooks.PrePromote);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Hooks.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), _f.ParseValidTimings().PrePromoteTimeout);
    }

    [Fact]
    public void EnvironmentAndConfigFile_SetTheSameOptions()
    {
        _f.Env["KND_PRE_PROMOTE"] = "exit 0";
        _f.WriteConfig("{\"on-role-change\": \"logger role\", \"hook-timeout\": \"2m\"}");

        var o = _f.ParseValid();

        Assert.Equal("exit 0", o.Hooks.PrePromote);
        Assert.Equal("logger role", o.Hooks.OnRoleChange);
        Assert.Equal(TimeSpan.FromMinutes(2), o.Hooks.Timeout);
    }

    [Theory]
    [InlineData("on-role-change", "", "--on-role-change: is empty")]
    [InlineData("pre-promote", "   ", "--pre-promote: is empty")]
    [InlineData("hook-timeout", "0s", "--hook-timeout: \"0s\" is not allowed")]
    [InlineData("hook-timeout", "soon", "--hook-timeout:")]
    [InlineData("hook-timeout", "11m", "--hook-timeout: \"11m\" is above the longest hook run knd allows")]
    public void BadHookOption_OneLineNamingIt(string option, string value, string expected)
    {
        _f.Set(option, value);

        var error = _f.ParseError();

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.TrimEnd());
    }
}
