using Microsoft.Extensions.Logging.Abstractions;
using NeardSim.Chain;
using NeardSim.Node;
using NeardSim.Rpc;

namespace Knd.Tests.NeardSim;

public sealed class MetricsTextTests : IDisposable
{
    private readonly SimTestHome _home = new(validatorAccount: "a.test");

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Render_AtStartup_HasContractMetrics()
    {
        var state = _home.CreateState(bootNodes: "ed25519:K@1.2.3.4:24567");
        _home.AdvanceToHeight(17);

        var lines = Render(state);

        Assert.Contains("near_block_height_head 17", lines);
        Assert.Contains("near_is_validator 1", lines);
        Assert.Contains("near_config_reloads_total 1", lines);
        Assert.Contains("near_config_correct 1", lines);
        Assert.Contains("near_block_expected_shutdown 0", lines);
        Assert.Contains("near_sim_signed_total 0", lines);
        Assert.Contains("near_block_produced_total 0", lines);
        Assert.Contains("near_sim_boot_nodes_info{boot_nodes=\"ed25519:K@1.2.3.4:24567\"} 1", lines);
        Assert.Contains(lines, l => l.StartsWith("near_config_mutable_field{field_name=\"expected_shutdown\",timestamp=\"", StringComparison.Ordinal)
            && l.EndsWith("\",value=\"None\"} 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_AfterExpectedShutdownReload_OldSeriesZeroNewSeriesOne()
    {
        var state = _home.CreateState();
        _home.WriteConfig("""{"expected_shutdown":123}""");
        new ConfigReloader(state, NullLogger<ConfigReloader>.Instance).Reload();

        var lines = Render(state);

        Assert.Contains(lines, l => l.Contains("value=\"None\"} 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("value=\"Some(123)\"} 1", StringComparison.Ordinal));
        Assert.Contains("near_block_expected_shutdown 123", lines);
        Assert.Contains("near_config_reloads_total 2", lines);
    }

    [Fact]
    public void Render_SimSigning_OneWhenSigningZeroWhenSilent()
    {
        var state = _home.CreateState();

        Assert.Contains("near_sim_signing 1", Render(state));
        Assert.Contains("near_sim_catching_up 0", Render(state));
        var silent = Render(state, new global::NeardSim.Faults.FaultState(configHang: false, configNoSign: true));
        Assert.Contains("near_sim_signing 0", silent);
        Assert.Contains("near_is_validator 1", silent);
    }

    [Fact]
    public void Render_EveryMetricHasHelpAndType()
    {
        var lines = Render(_home.CreateState());

        var names = lines.Where(l => !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0]).Distinct();
        foreach (var name in names)
        {
            Assert.Contains($"# TYPE {name} ", string.Join('\n', lines), StringComparison.Ordinal);
            Assert.Contains(lines, l => l.StartsWith($"# HELP {name} ", StringComparison.Ordinal));
        }
    }

    private string[] Render(NodeState state, global::NeardSim.Faults.FaultState? faults = null)
    {
        var genesis = state.Genesis;
        var clock = new ChainClock(genesis.GenesisTime, genesis.BlockIntervalMs, genesis.EpochLength, _home.Time);
        return MetricsText.Render(state, clock, faults ?? new global::NeardSim.Faults.FaultState(configHang: false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
