using System.Globalization;
using System.Text;
using NeardSim.Chain;
using NeardSim.Faults;
using NeardSim.Node;
using NeardSim.Signing;

namespace NeardSim.Rpc;

/// <summary>neard's metrics that supervisors read, in Prometheus text format 0.0.4.</summary>
internal static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(NodeState state, ChainClock clock, FaultState faults)
    {
        var head = clock.Head;
        var reload = state.ReloadStatus;
        var startLabel = state.StartTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder(2048);

        Gauge(text, "near_block_height_head", "Height of the current head of the blockchain", head);
        Gauge(text, "near_final_block_height", "Last block that has full BFT finality", Math.Max(0, head - 2));
        Gauge(text, "near_epoch_height", "Height of the epoch at the head of the blockchain", clock.EpochOf(head));
        Gauge(text, "near_sync_status", "Node sync status (0 = NoSync / synced)", state.IsSynced ? 0 : 1);
        Gauge(text, "near_is_validator", "Bool to denote if it is validating in the current epoch", state.ValidatorKey is null ? 0 : 1);
        Counter(text, "near_config_reloads_total",
            "Number of times the configs were reloaded during the current run of the process", reload.ReloadsTotal);
        Gauge(text, "near_config_correct", "Are the current dynamically loadable configs correct", reload.ConfigCorrect ? 1 : 0);
        Gauge(text, "near_config_reload_timestamp_seconds", "Timestamp of the last reload of the config",
            reload.LastReloadTime.ToUnixTimeSeconds());

        Header(text, "near_config_mutable_field", "Timestamp and value of a mutable config field", "gauge");
        foreach (var (value, gauge) in reload.ExpectedShutdownSeries)
        {
            text.Append("near_config_mutable_field{field_name=\"expected_shutdown\",timestamp=\"").Append(startLabel)
                .Append("\",value=\"").Append(Escape(value)).Append("\"} ").Append(gauge).Append('\n');
        }

        Gauge(text, "near_block_expected_shutdown", "The block height at which the node is expected to shut down (kuutamo patch)",
            state.ExpectedShutdown ?? 0);

        Header(text, "near_build_info", "Metric whose labels indicate node's version", "gauge");
        text.Append("near_build_info{release=\"").Append(SimVersion.Release).Append("\",build=\"").Append(SimVersion.Build)
            .Append("\",rustc_version=\"").Append(Escape(SimVersion.Rustc)).Append("\"} 1\n");

        Counter(text, "near_block_produced_total", "Total number of blocks produced since starting this node", state.ProducedTotal);
        Counter(text, "near_chunk_produced_total", "Total number of chunks produced since starting this node", state.ChunkProducedTotal);
        Counter(text, "near_sim_signed_total", "neard-sim: blocks this process recorded in the signing ledger", state.SignedTotal);
        Gauge(text, "near_sim_signing", "neard-sim: 1 when this node signs its duty heights now (key, synced, no sign fault, caught up)",
            SigningGate.WhyNot(state, faults) is null ? 1 : 0);
        Gauge(text, "near_sim_catching_up", "neard-sim: 1 while a hot-swapped key that is not shadow-tracked catches up",
            state.IsCatchingUp ? 1 : 0);
        Header(text, "near_sim_boot_nodes_info", "neard-sim: the --boot-nodes argument (accepted, otherwise unused)", "gauge");
        text.Append("near_sim_boot_nodes_info{boot_nodes=\"").Append(Escape(state.BootNodes ?? "")).Append("\"} 1\n");
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help, "gauge");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help, "counter");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ')
            .Append(type).Append('\n');

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);
}
