using System.Globalization;
using System.Text.Json.Nodes;

namespace Knd.Localnet;

/// <summary>
/// One localnet host on disk: <c>DIR/node-N/</c> with the neard home (<c>home/</c>), the credentials
/// knd reads the way systemd's <c>LoadCredential=</c> gives them (<c>credentials/</c>), and knd's log.
/// </summary>
internal sealed class NodeLayout
{
    public NodeLayout(string root, int index)
    {
        Index = index;
        NodeId = string.Create(CultureInfo.InvariantCulture, $"node-{index}");
        Dir = Path.Combine(root, NodeId);
        Home = Path.Combine(Dir, "home");
        Credentials = Path.Combine(Dir, "credentials");
    }

    public int Index { get; }

    public string NodeId { get; }

    public string Dir { get; }

    /// <summary>neard's home; also the <c>home</c> field of its ledger lines.</summary>
    public string Home { get; }

    public string Credentials { get; }

    public string KndLog => Path.Combine(Dir, "knd.log");

    public string ControlSocket => Path.Combine(Home, "knd.sock");

    public string RpcHangFile => Path.Combine(Home, "sim-rpc-hang");

    /// <summary>neard-sim signs nothing while this file exists (docs/neard-sim.md): the silent leader.</summary>
    public string NoSignFile => Path.Combine(Home, "sim-no-sign");

    public int RpcPort { get; private set; }

    public int ValidatorPort { get; private set; }

    public int VoterPort { get; private set; }

    /// <summary>The knd peer channel's port (used only with --fast-failover or --failsafe); fixed, so a restarted knd keeps its address.</summary>
    public int PeerPort { get; private set; }

    /// <summary>
    /// Writes the home (genesis.json, config.json, the voter node key) and the credentials (copies
    /// of the shared validator key and validator node key). An existing home (a kept --dir) is
    /// rewritten: new genesis, new ports, new keys.
    /// </summary>
    public void Create(JsonObject genesis, string validatorKey, string validatorNodeKey)
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Credentials);
        File.SetUnixFileMode(Credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var stale in new[] { "validator_key.json", "sim-rpc-hang", "sim-no-sign", "sim-crash", "knd.sock" })
        {
            File.Delete(Path.Combine(Home, stale));
        }

        RpcPort = FreeLoopbackPort();
        ValidatorPort = FreeLoopbackPort();
        VoterPort = FreeLoopbackPort();
        PeerPort = FreeLoopbackPort();
        File.WriteAllText(Path.Combine(Home, "genesis.json"), genesis.ToJsonString());
        File.WriteAllText(Path.Combine(Home, "config.json"), Config().ToJsonString());
        var voterKey = Path.Combine(Home, "voter_node_key.json");
        KeyFiles.Write(voterKey, "node");
        KeyFiles.Copy(voterKey, Path.Combine(Home, "node_key.json"));
        KeyFiles.Copy(validatorKey, Path.Combine(Credentials, "validator_key.json"));
        KeyFiles.Copy(validatorNodeKey, Path.Combine(Credentials, "validator_node_key.json"));
    }

    /// <summary>A free loopback TCP port for a config to name (neard's RPC needs a fixed port knd can read from config.json); <see cref="FixedPorts"/>.</summary>
    public static int FreeLoopbackPort() => FixedPorts.Next();

    private JsonObject Config() => new()
    {
        ["genesis_file"] = "genesis.json",
        ["rpc"] = new JsonObject { ["addr"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{RpcPort}") },
        ["network"] = new JsonObject
        {
            ["addr"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{VoterPort}"),
            ["boot_nodes"] = string.Empty,
            ["public_addrs"] = new JsonArray(),
        },
        ["expected_shutdown"] = null,
        ["sim"] = new JsonObject { ["startup_ms"] = 0, ["sync_ms"] = 0 },
    };
}
