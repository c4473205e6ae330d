using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Knd.DevConsul;

namespace Knd.Localnet;

/// <summary>
/// The whole system on one machine: an in-process dev-consul, N neard-sim homes sharing one chain
/// clock, one validator key and one signing ledger, and N <c>knd run</c> daemons under an emulated
/// service manager. Dispose stops every daemon (SIGTERM, then SIGKILL), then dev-consul, and removes
/// the directory unless the user named it.
/// </summary>
internal sealed partial class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ManagerTick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan TreeRefresh = TimeSpan.FromMilliseconds(500);

    private readonly ChildLauncher _launcher;
    private readonly StatusClient _status = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _keepDir;
    private Task _manager = Task.CompletedTask;
    private bool _disposed;

    private LocalCluster(LocalnetOptions options, string root, bool keepDir, DevConsulServer consul, ChildLauncher launcher, TimeProvider time, ChainSchedule chain)
    {
        Options = options;
        Root = root;
        _keepDir = keepDir;
        Consul = consul;
        _launcher = launcher;
        Time = time;
        Chain = chain;
        Timings = new LocalnetTimings(options);
        Ledger = new Ledger(System.IO.Path.Combine(root, "ledger.jsonl"));
    }

    public LocalnetOptions Options { get; }

    public LocalnetTimings Timings { get; }

    public string Root { get; }

    /// <summary>The dev-consul the daemons talk to; a new, empty one after <see cref="RestartConsulEmptyAsync"/>.</summary>
    public DevConsulServer Consul { get; private set; }

    public TimeProvider Time { get; }

    public ChainSchedule Chain { get; }

    public Ledger Ledger { get; }

    public IReadOnlyList<DaemonUnit> Units { get; private set; } = [];

    /// <summary>The largest knd resident set seen at any poll, in MB.</summary>
    public double MaxKndRssMb { get; private set; }

    /// <summary>Creates the directory, the keys and the homes, starts dev-consul and every knd.</summary>
    public static async Task<LocalCluster> StartAsync(LocalnetOptions options, string neardBin, Action<string> report, TimeProvider time, CancellationToken cancellationToken)
    {
        var launcher = ChildLauncher.Create(out var problem) ?? throw new LocalnetException(problem!);
        var keepDir = options.Dir is not null;
        var root = keepDir ? System.IO.Path.GetFullPath(options.Dir!) : Directory.CreateTempSubdirectory("knd-localnet-").FullName;
        Directory.CreateDirectory(root);
        File.Delete(System.IO.Path.Combine(root, "ledger.jsonl"));
        var consul = await StartConsulAsync(options, port: 0, time, cancellationToken);
        var chain = new ChainSchedule(time.GetUtcNow(), LocalnetOptions.BlockInterval, LocalnetOptions.DutySeed, LocalnetOptions.DutyPercent, LocalnetOptions.EpochLength);
        var localnet = new LocalCluster(options, root, keepDir, consul, launcher, time, chain);
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

    /// <summary>
    /// Consul loses everything: dev-consul is stopped (every connection dropped), stays down for
    /// <paramref name="outage"/>, and a new, empty one starts on the same port, as a Consul cluster
    /// that lost its data would come back.
    /// </summary>
    public async Task RestartConsulEmptyAsync(TimeSpan outage, CancellationToken cancellationToken)
    {
        var port = Consul.BaseAddress.Port;
        await Consul.DisposeAsync();
        await Task.Delay(outage, Time, cancellationToken);
        Consul = await StartConsulAsync(Options, port, Time, cancellationToken);
    }

    /// <summary>Stops dev-consul (every connection dropped, every session and key lost); returns its port for <see cref="StartConsulEmptyAsync"/>.</summary>
    public async Task<int> StopConsulAsync()
    {
        var port = Consul.BaseAddress.Port;
        await Consul.DisposeAsync();
        return port;
    }

    /// <summary>Starts a new, empty dev-consul on <paramref name="port"/>, as a Consul cluster that lost its data comes back.</summary>
    public async Task StartConsulEmptyAsync(int port, CancellationToken cancellationToken) =>
        Consul = await StartConsulAsync(Options, port, Time, cancellationToken);

    private static Task<DevConsulServer> StartConsulAsync(LocalnetOptions options, int port, TimeProvider time, CancellationToken cancellationToken) =>
        DevConsulServer.StartAsync(
            new DevConsulOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, port),
                SessionTtlMin = options.SessionTtl < DevConsulOptions.DefaultSessionTtlMin ? options.SessionTtl : DevConsulOptions.DefaultSessionTtlMin,
                TimeProvider = time,
            },
            cancellationToken);

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
        "--consul-url", Consul.BaseAddress.ToString(),
        "--exporter-address", "127.0.0.1:0",
        "--control-socket", layout.ControlSocket,
        "--session-ttl", Milliseconds(Options.SessionTtl),
        "--lock-delay", Milliseconds(Options.LockDelay),
        "--promotion", Options.Promotion,
        "--validator-network-addr", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.ValidatorPort}"),
        "--voter-network-addr", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.VoterPort}"),
        .. PeerArguments(layout),
    ];

    /// <summary>The peer channel of every knd: its own loopback port, the shared secret file (never its content), the modes.</summary>
    private List<string> PeerArguments(NodeLayout layout) => !Options.PeerChannel ? [] :
    [
        "--peer-address", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{layout.PeerPort}"),
        "--cluster-secret-file", ClusterSecretFile,
        "--fast-failover", Options.FastFailover ? "true" : "false",
        "--failsafe", Options.Failsafe ? "true" : "false",
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
        },
    };
}

/// <summary>The localnet cannot start or go on; the message is for the user, on one line.</summary>
internal sealed class LocalnetException(string message) : Exception(message);
