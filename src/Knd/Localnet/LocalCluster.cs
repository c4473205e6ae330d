using System.Globalization;
using System.Text.Json.Nodes;

namespace Knd.Localnet;

/// <summary>
/// The whole system on one machine: a coordination service (an in-process dev-consul, or three etcd
/// members with <c>--dcs etcd</c>), N neard-sim homes sharing one chain clock, one validator key and
/// one signing ledger, and N <c>knd run</c> daemons under an emulated service manager. Dispose stops
/// every daemon (SIGTERM, then SIGKILL), then the service, and removes the directory unless the user
/// named it.
/// </summary>
internal sealed partial class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ManagerTick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan TreeRefresh = TimeSpan.FromMilliseconds(500);

    private readonly ChildLauncher _launcher;
    private readonly StatusClient _status = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _keepDir;
    private Task _manager = Task.CompletedTask;
    private bool _disposed;

    private LocalCluster(LocalnetOptions options, string root, bool keepDir, LocalDcs dcs, ChildLauncher launcher, TimeProvider time, ChainSchedule chain)
    {
        Options = options;
        Root = root;
        _keepDir = keepDir;
        Dcs = dcs;
        _launcher = launcher;
        Time = time;
        Chain = chain;
        Timings = new LocalnetTimings(options);
        Ledger = new Ledger(System.IO.Path.Combine(root, "ledger.jsonl"));
    }

    public LocalnetOptions Options { get; }

    public LocalnetTimings Timings { get; }

    public string Root { get; }

    /// <summary>The coordination service the daemons talk to, and the switches of its faults.</summary>
    public LocalDcs Dcs { get; }

    public TimeProvider Time { get; }

    public ChainSchedule Chain { get; }

    public Ledger Ledger { get; }

    public IReadOnlyList<DaemonUnit> Units { get; private set; } = [];

    /// <summary>The largest knd resident set seen at any poll, in MB.</summary>
    public double MaxKndRssMb { get; private set; }

    /// <summary>Creates the directory, the keys and the homes, starts the coordination service and every knd.</summary>
    public static async Task<LocalCluster> StartAsync(LocalnetOptions options, string neardBin, Action<string> report, TimeProvider time, CancellationToken cancellationToken)
    {
        var launcher = ChildLauncher.Create(out var problem) ?? throw new LocalnetException(problem!);
        var keepDir = options.Dir is not null;
        var root = keepDir ? System.IO.Path.GetFullPath(options.Dir!) : Directory.CreateTempSubdirectory("knd-localnet-").FullName;
        Directory.CreateDirectory(root);
        File.Delete(System.IO.Path.Combine(root, "ledger.jsonl"));
        LocalDcs dcs;
        try
        {
            dcs = options.Dcs == "etcd"
                ? await LocalEtcd.StartAsync(root, launcher, time, report, cancellationToken)
                : await LocalConsul.StartAsync(options, time, cancellationToken);
        }
        catch
        {
            launcher.Dispose();
            if (!keepDir)
            {
                Directory.Delete(root, recursive: true);
            }

            throw;
        }

        var chain = new ChainSchedule(time.GetUtcNow(), LocalnetOptions.BlockInterval, LocalnetOptions.DutySeed, LocalnetOptions.DutyPercent, LocalnetOptions.EpochLength);
        var localnet = new LocalCluster(options, root, keepDir, dcs, launcher, time, chain);
        try
        {
            localnet.CreateUnits(neardBin, report);
            foreach (var unit in localnet.Units)
            {
                await unit.StartAsync(cancellationToken);
            }

            localnet._manager = localnet.ManageAsync(localnet._stop.Token);
            return localnet;
        }
        catch
        {
            await localnet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Keeps the directory on exit after all: the user is about to be pointed at its logs.</summary>
    public void KeepDirectory() => _keepDir = true;

    public bool KeptDirectory => _keepDir;

    public DaemonUnit Unit(string nodeId) => Units.First(u => u.NodeId == nodeId);

    /// <summary>The node whose neard home is <paramref name="home"/> (a ledger line's signer).</summary>
    public DaemonUnit? UnitOfHome(string home) => Units.FirstOrDefault(u => u.Layout.Home == home);

    private void CreateUnits(string neardBin, Action<string> report)
    {
        NeardBin = neardBin;
        var keys = System.IO.Path.Combine(Root, "keys");
        Directory.CreateDirectory(keys);
        var validatorKey = System.IO.Path.Combine(keys, "validator_key.json");
        var validatorNodeKey = System.IO.Path.Combine(keys, "validator_node_key.json");
        var validatorPublicKey = KeyFiles.Write(validatorKey, LocalnetOptions.Account);
        KeyFiles.Write(validatorNodeKey, "node");
        if (Options.PeerChannel)
        {
            File.WriteAllText(ClusterSecretFile, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
            File.SetUnixFileMode(ClusterSecretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var genesis = Genesis(validatorPublicKey);
        var (knd, prefix) = KndBinaries.Knd();
        var settings = new UnitSettings { Watchdog = Timings.Watchdog };
        var units = new List<DaemonUnit>();
        for (var i = 0; i < Options.Nodes; i++)
        {
            var layout = new NodeLayout(Root, i);
            layout.Create(genesis, validatorKey, validatorNodeKey);
            var environment = new Dictionary<string, string>
            {
                ["CREDENTIALS_DIRECTORY"] = layout.Credentials,
                ["NEARD_SIM_LEDGER"] = Ledger.Path,
            };
            units.Add(new DaemonUnit(layout, settings, knd, [.. prefix, .. RunArguments(layout, neardBin)], environment, _launcher, Time, report));
        }

        Units = units;
    }

    private List<string> RunArguments(NodeLayout layout, string neardBin) =>
    [
        "run",
        "--node-id", layout.NodeId,
        "--neard-home", layout.Home,
        "--neard-bin", neardBin,
        .. Dcs.RunArguments(layout.NodeId),
        "--exporter-address", "127.0.0.1:0",
        "--control-socket", layout.ControlSocket,
        "--session-ttl", Milliseconds(Options.SessionTtl),
        "--lock-delay", Milliseconds(Options.LockDelay),
        "--promotion", Options.Promotion,
        "--validator-network-addr", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.ValidatorPort}"),
        "--voter-network-addr", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.VoterPort}"),
        .. PeerArguments(Options, layout, ClusterSecretFile),
    ];

    /// <summary>The peer channel of every knd: its own loopback port, the shared secret file (never its content), the modes.</summary>
    internal static List<string> PeerArguments(LocalnetOptions options, NodeLayout layout, string clusterSecretFile) => !options.PeerChannel ? [] :
    [
        "--peer-address", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.PeerPort}"),
        "--cluster-secret-file", clusterSecretFile,
        "--fast-failover", options.FastFailover ? "true" : "false",
        "--failsafe", options.Failsafe ? "true" : "false",
        .. options.LeaderSilence is { } silence ? ["--leader-silence", Milliseconds(silence)] : Array.Empty<string>(),
    ];

    /// <summary>The cluster secret every knd of the localnet shares: <c>DIR/keys/cluster_secret</c>, mode 0600.</summary>
    private string ClusterSecretFile => System.IO.Path.Combine(Root, "keys", "cluster_secret");

    private static string Milliseconds(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMilliseconds}ms");

    private JsonObject Genesis(string validatorPublicKey) => new()
    {
        ["chain_id"] = LocalnetOptions.ChainId,
        ["genesis_time"] = Chain.Genesis.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        ["epoch_length"] = LocalnetOptions.EpochLength,
        ["protocol_version"] = 69,
        ["validators"] = new JsonArray(new JsonObject
        {
            ["account_id"] = LocalnetOptions.Account,
            ["public_key"] = validatorPublicKey,
            ["amount"] = "100000000000000000000000000000000",
        }),
        ["sim"] = new JsonObject
        {
            ["block_interval_ms"] = (long)LocalnetOptions.BlockInterval.TotalMilliseconds,
            ["duty_seed"] = LocalnetOptions.DutySeed,
            ["duty_percent"] = LocalnetOptions.DutyPercent,
            ["chunk_only_validators"] = Options.ChunkOnly ? new JsonArray(LocalnetOptions.Account) : new JsonArray(),
        },
    };
}

/// <summary>The localnet cannot start or go on; the message is for the user, on one line.</summary>
internal sealed class LocalnetException(string message) : Exception(message);
