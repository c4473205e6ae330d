using Microsoft.Extensions.Logging.Abstractions;
using NeardSim.Node;

namespace Knd.Tests.NeardSim;

public sealed class ConfigReloaderTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: null);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Startup_CountsAsOneSuccessfulReload()
    {
        var status = _home.CreateState().ReloadStatus;

        Assert.Equal(1, status.ReloadsTotal);
        Assert.True(status.ConfigCorrect);
        Assert.Equal([("None", 1)], status.ExpectedShutdownSeries);
    }

    [Fact]
    public void Reload_NewExpectedShutdown_AppliesAndCounts()
    {
        var state = _home.CreateState();
        _home.WriteConfig("""{"expected_shutdown":123}""");

        Assert.True(Reloader(state).Reload());

        Assert.Equal(123, state.ExpectedShutdown);
        Assert.Equal(2, state.ReloadStatus.ReloadsTotal);
        Assert.Equal([("None", 0), ("Some(123)", 1)], state.ReloadStatus.ExpectedShutdownSeries.OrderBy(s => s.Value));
    }

    [Fact]
    public void Reload_MalformedConfig_AppliesNothingAndLeavesCounter()
    {
        var state = _home.CreateState();
        _home.WriteValidatorKey("new.test");
        _home.WriteConfig("""{"expected_shutdown":123""");

        Assert.False(Reloader(state).Reload());

        Assert.Null(state.ExpectedShutdown);
        Assert.Null(state.ValidatorKey);
        Assert.Equal(1, state.ReloadStatus.ReloadsTotal);
        Assert.False(state.ReloadStatus.ConfigCorrect);
    }

    [Fact]
    public void Reload_MalformedKeyFile_AppliesNothingIncludingExpectedShutdown()
    {
        var state = _home.CreateState();
        _home.WriteConfig("""{"expected_shutdown":50}""");
        File.WriteAllText(_home.PathOf("validator_key.json"), "{broken");

        Assert.False(Reloader(state).Reload());

        Assert.Null(state.ExpectedShutdown);
        Assert.Equal(1, state.ReloadStatus.ReloadsTotal);
    }

    [Fact]
    public void Reload_AfterFailure_FixedFileRestoresCorrectAndCounts()
    {
        var state = _home.CreateState();
        var reloader = Reloader(state);
        _home.WriteConfig("not json");
        reloader.Reload();
        _home.WriteConfig("{}");

        Assert.True(reloader.Reload());

        Assert.True(state.ReloadStatus.ConfigCorrect);
        Assert.Equal(2, state.ReloadStatus.ReloadsTotal);
    }

    [Fact]
    public void Reload_KeyPlaced_IsPickedUp()
    {
        var state = _home.CreateState();
        _home.WriteValidatorKey("pool.test");

        Reloader(state).Reload();

        Assert.Equal("pool.test", state.ValidatorKey?.AccountId);
    }

    [Fact]
    public void Reload_KeyChanged_IsSwapped()
    {
        _home.WriteValidatorKey("old.test");
        var state = _home.CreateState();
        _home.WriteValidatorKey("new.test");

        Reloader(state).Reload();

        Assert.Equal("new.test", state.ValidatorKey?.AccountId);
    }

    [Fact]
    public void Reload_KeyRemoved_KeepsSigningWithOldKey()
    {
        _home.WriteValidatorKey("pool.test");
        var state = _home.CreateState();
        _home.DeleteValidatorKey();

        Assert.True(Reloader(state).Reload());

        Assert.Equal("pool.test", state.ValidatorKey?.AccountId);
        Assert.Equal(2, state.ReloadStatus.ReloadsTotal);
    }

    [Fact]
    public void Reload_ExpectedShutdownBackToNull_OldSeriesZeroNewOne()
    {
        _home.WriteConfig("""{"expected_shutdown":7}""");
        var state = _home.CreateState();
        _home.WriteConfig("""{"expected_shutdown":null}""");

        Reloader(state).Reload();

        Assert.Null(state.ExpectedShutdown);
        Assert.Equal([("None", 1), ("Some(7)", 0)], state.ReloadStatus.ExpectedShutdownSeries.OrderBy(s => s.Value));
    }

    private static ConfigReloader Reloader(NodeState state) => new(state, NullLogger<ConfigReloader>.Instance);
}
