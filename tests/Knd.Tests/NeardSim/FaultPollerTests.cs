using Microsoft.Extensions.Logging.Abstractions;
using NeardSim.Faults;
using NeardSim.Node;

namespace Knd.Tests.NeardSim;

public sealed class FaultPollerTests : IDisposable
{
    private readonly SimTestHome _home = new();
    private readonly ExitController _exit = new();
    private readonly FaultState _faults = new(configHang: false);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Poll_HangFilePresentThenRemoved_TogglesRpcHang()
    {
        var poller = Poller(_home.CreateState());
        File.WriteAllText(_home.PathOf("sim-rpc-hang"), "");

        poller.Poll();
        Assert.True(_faults.RpcHang);

        File.Delete(_home.PathOf("sim-rpc-hang"));
        poller.Poll();
        Assert.False(_faults.RpcHang);
    }

    [Fact]
    public async Task Poll_CrashFile_RequestsImmediateExitOneAndDeletesTheFile()
    {
        var poller = Poller(_home.CreateState());
        File.WriteAllText(_home.PathOf("sim-crash"), "");

        poller.Poll();

        Assert.True(_exit.IsRequested);
        Assert.Equal(1, (await _exit.Requested).ExitCode);
        Assert.True((await _exit.Requested).Immediate);
        Assert.False(File.Exists(_home.PathOf("sim-crash")));
    }

    [Fact]
    public async Task Poll_CrashAfterMs_ExitsOneOnlyOnceElapsed()
    {
        _home.WriteConfig("""{"sim":{"crash_after_ms":1000}}""");
        var poller = Poller(_home.CreateState());
        _home.Time.Advance(TimeSpan.FromMilliseconds(999));
        poller.Poll();
        Assert.False(_exit.IsRequested);

        _home.Time.Advance(TimeSpan.FromMilliseconds(1));
        poller.Poll();

        Assert.Equal(1, (await _exit.Requested).ExitCode);
    }

    [Fact]
    public void RpcHang_ConfiguredAtStartup_HangsWithoutFile() => Assert.True(new FaultState(configHang: true).RpcHang);

    private FaultPoller Poller(NodeState state) => new(state, _faults, _exit, _home.Time, NullLogger<FaultPoller>.Instance);
}
