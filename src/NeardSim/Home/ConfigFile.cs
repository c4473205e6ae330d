namespace NeardSim.Home;

/// <summary>What the sim reads from config.json; every other field is ignored (and never rewritten).</summary>
internal sealed record ConfigFile
{
    public const string FileName = "config.json";

    public string RpcAddr { get; init; } = "0.0.0.0:3030";

    public string NetworkAddr { get; init; } = "0.0.0.0:24567";

    public IReadOnlyList<string> PublicAddrs { get; init; } = [];

    public string BootNodes { get; init; } = "";

    public long? ExpectedShutdown { get; init; }

    public string NodeKeyFile { get; init; } = "node_key.json";

    public string ValidatorKeyFile { get; init; } = "validator_key.json";

    public SimFaultOptions Sim { get; init; } = new();

    public TrackedShards TrackedShards { get; init; } = TrackedShards.None;

    public static ConfigFile Load(string path)
    {
        using var document = JsonFile.Parse(path);
        var root = new JsonObjectReader(document.RootElement, "config.json: ");
        var rpc = root.Object("rpc");
        var network = root.Object("network");
        var rpcAddr = rpc?.String("addr") ?? "0.0.0.0:3030";
        if (!HostPort.TryParse(rpcAddr, out _))
        {
            throw new HomeFileException($"config.json: rpc.addr must be HOST:PORT, got '{rpcAddr}'");
        }

        var publicAddrs = new List<string>();
        foreach (var entry in network?.Array("public_addrs") ?? [])
        {
            publicAddrs.Add(entry.ValueKind == System.Text.Json.JsonValueKind.String
                ? entry.GetString()!
                : throw new HomeFileException("config.json: network.public_addrs must be an array of strings"));
        }

        var sim = SimFaultOptions.Read(root.Object("sim"));
        return new ConfigFile
        {
            RpcAddr = rpcAddr,
            NetworkAddr = network?.String("addr") ?? "0.0.0.0:24567",
            PublicAddrs = publicAddrs,
            BootNodes = network?.String("boot_nodes") ?? "",
            ExpectedShutdown = root.Int64("expected_shutdown", min: 0),
            NodeKeyFile = root.String("node_key_file") ?? "node_key.json",
            ValidatorKeyFile = root.String("validator_key_file") ?? "validator_key.json",
            Sim = sim,
            TrackedShards = TrackedShards.Read(root, sim.LegacyTrackingOnly),
        };
    }
}
