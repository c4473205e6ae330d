using System.Text;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Failover;

/// <summary>What a test cluster looks like. Short TTLs come from dev-consul's --session-ttl-min.</summary>
internal sealed record ClusterOptions
{
    public int Nodes { get; init; } = 2;

    /// <summary>False: the nodes are laid out but no knd is started (the test starts them its own way).</summary>
    public bool StartNodes { get; init; } = true;

    public TimeSpan SessionTtl { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan LockDelay { get; init; } = TimeSpan.FromSeconds(1);

    public string Promotion { get; init; } = "hot-swap";

    public string? AclToken { get; init; }

    /// <summary>The token each knd presents; defaults to <see cref="AclToken"/>.</summary>
    public string? ClientToken { get; init; }

    /// <summary>Per-node neard-sim settings (node index → options), e.g. a long sync for one passive.</summary>
    public Func<int, NeardSimHomeOptions, NeardSimHomeOptions>? Home { get; init; }

    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Arguments for one node only (by index: node-0, node-1 ...), after <see cref="ExtraArguments"/>.</summary>
    public Func<int, IReadOnlyList<string>>? NodeArguments { get; init; }

    /// <summary>0: the nodes use one <c>knd dev-consul</c>. Otherwise a real etcd cluster of this many members (<c>--dcs etcd</c>).</summary>
    public int EtcdMembers { get; init; }

    /// <summary>With etcd: each node reaches every member through its own <see cref="TcpProxy"/>, so a test can cut one node off.</summary>
    public bool EtcdProxies { get; init; }

    /// <summary>The <c>--neard-bin</c> of every node; neard-sim when null (a test may wrap it in a script).</summary>
    public string? NeardBin { get; init; }

    /// <summary>
    /// dev-consul starts with the lock key present and free, as an earlier leader's release leaves it:
    /// a cluster that has run before. Without it the first election waits TTL + lock-delay, since a
    /// missing key may be a Consul that forgot its state (docs/failover-algorithm.md).
    /// </summary>
    public bool LockKeyFromEarlierLeader { get; init; }

    /// <summary>
    /// Nodes (by index) configured as a kuutamod host is: node id, account, neard home, Consul URL and
    /// token file, exporter and network addresses from <c>KUUTAMO_*</c> variables instead of flags.
    /// </summary>
    public IReadOnlySet<int> KuutamodStyleNodes { get; init; } = new HashSet<int>();

    /// <summary>Extra environment for every knd (NOTIFY_SOCKET, JOURNAL_STREAM ...).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// A whole validator set on loopback: one <c>knd dev-consul</c>, N neard-sim homes that share a chain
/// clock and one signing ledger, and N real <c>knd run</c> daemons.
/// </summary>
internal sealed class KndCluster : IAsyncDisposable
{
    public const string Account = "validator.test";
    public const string LockKey = "kuutamod-leader/" + Account;

    private readonly string _root;
    private readonly DevConsulProcess? _consul;
    private readonly Dictionary<string, List<TcpProxy>> _proxies;

    private KndCluster(string root, ClusterOptions options, DevConsulProcess? consul, EtcdCluster? etcd, IReadOnlyList<KndNode> nodes, Dictionary<string, List<TcpProxy>> proxies)
    {
        _root = root;
        Options = options;
        _consul = consul;
        Etcd = etcd;
        Nodes = nodes;
        _proxies = proxies;
    }

    public ClusterOptions Options { get; }

    public DevConsulProcess Consul => _consul ?? throw new InvalidOperationException("this cluster runs on etcd, not dev-consul");

    /// <summary>The etcd cluster, when the nodes run with <c>--dcs etcd</c>.</summary>
    public EtcdCluster? Etcd { get; }

    public IReadOnlyList<KndNode> Nodes { get; }

    public string LedgerPath => Path.Combine(_root, "ledger.jsonl");

    public static async Task<KndCluster> StartAsync(ClusterOptions options)
    {
        var root = Directory.CreateTempSubdirectory("knd-cluster-").FullName;
        var consul = options.EtcdMembers > 0 ? null : await DevConsulProcess.StartAsync(TimeSpan.FromSeconds(1), options.AclToken);
        var etcd = options.EtcdMembers > 0 ? await EtcdCluster.StartAsync(options.EtcdMembers) : null;
        var genesis = TimeProvider.System.GetUtcNow().AddMinutes(-1);
        var nodes = new List<KndNode>();
        var proxies = new Dictionary<string, List<TcpProxy>>();
        for (var i = 0; i < options.Nodes; i++)
        {
            var lockService = new List<string>();
            if (etcd is null)
            {
                lockService.AddRange(["--consul-url", consul!.BaseAddress.ToString()]);
            }
            else if (options.EtcdProxies)
            {
                var own = etcd.Members.Select(m => new TcpProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, m.ClientPort))).ToList();
                proxies[$"node-{i}"] = own;
                lockService.AddRange(["--dcs", "etcd", "--etcd-endpoints", string.Join(',', own.Select(p => $"http://127.0.0.1:{p.Port}"))]);
            }
            else
            {
                lockService.AddRange(["--dcs", "etcd", "--etcd-endpoints", etcd.Endpoints]);
            }

            nodes.Add(CreateNode(root, i, options, lockService, genesis));
        }

        var cluster = new KndCluster(root, options, consul, etcd, nodes, proxies);
        try
        {
            if (options.LockKeyFromEarlierLeader)
            {
                await cluster.Consul.PutAsync(LockKey, string.Empty);
            }

            foreach (var node in options.StartNodes ? nodes : [])
            {
                await node.StartAsync();
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private static KndNode CreateNode(string root, int index, ClusterOptions options, IReadOnlyList<string> lockService, DateTimeOffset genesis)
    {
        var nodeId = $"node-{index}";
        var dir = Path.Combine(root, nodeId);
        var credentials = Path.Combine(dir, "credentials");
        Directory.CreateDirectory(credentials);
        var homeOptions = new NeardSimHomeOptions { GenesisTime = genesis, GenesisValidators = [Account] };
        homeOptions = options.Home?.Invoke(index, homeOptions) ?? homeOptions;
        var home = NeardSimHome.Create(homeOptions, Path.Combine(dir, "home"));
        NeardSimHome.WriteKeyFile(Path.Combine(credentials, "validator_key.json"), Account);
        NeardSimHome.WriteKeyFile(Path.Combine(credentials, "validator_node_key.json"), "node");
        NeardSimHome.WriteKeyFile(Path.Combine(home.Dir, "voter_node_key.json"), $"voter-{index}");

        var validatorAddr = $"127.0.0.1:{NeardSimHome.FreeLoopbackPort()}";
        var arguments = new List<string>
        {
            "run",
            "--node-id", nodeId,
            "--neard-home", home.Dir,
            "--neard-bin", options.NeardBin ?? ChildProcess.Binary("neard-sim"),
            "--exporter-address", "127.0.0.1:0",
            "--session-ttl", $"{(int)options.SessionTtl.TotalMilliseconds}ms",
            "--lock-delay", $"{(int)options.LockDelay.TotalMilliseconds}ms",
            "--promotion", options.Promotion,
            "--validator-network-addr", validatorAddr,
            "--voter-network-addr", $"127.0.0.1:{NeardSimHome.FreeLoopbackPort()}",
        };
        arguments.AddRange(lockService);
        string? tokenFile = null;
        if ((options.ClientToken ?? options.AclToken) is { } token)
        {
            tokenFile = Path.Combine(credentials, "consul-token");
            File.WriteAllText(tokenFile, token + "\n");
            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            arguments.AddRange(["--consul-token-file", tokenFile]);
        }

        arguments.AddRange(options.ExtraArguments);
        arguments.AddRange(options.NodeArguments?.Invoke(index) ?? []);
        var environment = new Dictionary<string, string?>
        {
            ["CREDENTIALS_DIRECTORY"] = credentials,
            ["NEARD_SIM_LEDGER"] = Path.Combine(root, "ledger.jsonl"),
        };
        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        if (options.KuutamodStyleNodes.Contains(index))
        {
            KuutamodStyle(arguments, environment);
        }

        return new KndNode(nodeId, home, arguments, environment) { CredentialsDir = credentials, TokenFile = tokenFile, ValidatorNetworkAddr = validatorAddr };
    }

    /// <summary>The flags kuutamod's hosts set through its environment instead (its unit's Environment= lines).</summary>
    private static readonly Dictionary<string, string> KuutamodVariables = new(StringComparer.Ordinal)
    {
        ["--node-id"] = "KUUTAMO_NODE_ID",
        ["--neard-home"] = "KUUTAMO_NEARD_HOME",
        ["--exporter-address"] = "KUUTAMO_EXPORTER_ADDRESS",
        ["--consul-url"] = "KUUTAMO_CONSUL_URL",
        ["--consul-token-file"] = "KUUTAMO_CONSUL_TOKEN_FILE",
        ["--validator-network-addr"] = "KUUTAMO_VALIDATOR_NETWORK_ADDR",
        ["--voter-network-addr"] = "KUUTAMO_VOTER_NETWORK_ADDR",
    };

    private static void KuutamodStyle(List<string> arguments, Dictionary<string, string?> environment)
    {
        environment["KUUTAMO_ACCOUNT_ID"] = Account;
        for (var i = arguments.Count - 2; i >= 0; i--)
        {
            if (KuutamodVariables.TryGetValue(arguments[i], out var variable))
            {
                environment[variable] = arguments[i + 1];
                arguments.RemoveRange(i, 2);
            }
        }
    }

    /// <summary>Waits until exactly one node is Validating (and the lock names it) and every other live node is Voting.</summary>
    public async Task<KndNode> WaitForSingleLeaderAsync(TimeSpan timeout, IEnumerable<KndNode>? among = null)
    {
        var candidates = (among ?? Nodes).ToList();
        return await Eventually.UntilAsync<KndNode>(
            async () =>
            {
                var states = new List<(KndNode Node, string? State, bool Leader)>();
                foreach (var node in candidates)
                {
                    var status = await node.StatusAsync();
                    states.Add((node, status?["state"]?.GetValue<string>(), status?["is_leader"]?.GetValue<bool>() == true));
                }

                var leaders = states.Where(s => s.State == "Validating" && s.Leader).ToList();
                var passivesReady = states.Where(s => !s.Leader).All(s => s.State == "Voting");
                return leaders.Count == 1 && passivesReady ? leaders[0].Node : null;
            },
            timeout,
            Describe);
    }

    /// <summary>The member record a node published in Consul (JSON), or null.</summary>
    public Task<string?> MemberAsync(string nodeId) => Etcd is { } etcd ? etcd.ValueAsync($"{LockKey}/members/{nodeId}") : Consul.ValueAsync($"{LockKey}/members/{nodeId}");

    /// <summary>Cuts <paramref name="node"/> off from every etcd member (or joins it again); needs <see cref="ClusterOptions.EtcdProxies"/>.</summary>
    public void CutOffFromEtcd(KndNode node, bool cut)
    {
        foreach (var proxy in _proxies[node.NodeId])
        {
            proxy.Cut = cut;
        }
    }

    /// <summary>The ledger must never hold one (account, height) twice.</summary>
    public LedgerSnapshot AssertNoDoubleSign()
    {
        var ledger = LedgerReader.Read(LedgerPath);
        Assert.False(ledger.HasDoubleSign, $"double sign: {string.Join("; ", ledger.DoubleSigns)}");
        return ledger;
    }

    /// <summary>Waits for a ledger line signed from <paramref name="node"/>'s home after <paramref name="after"/>.</summary>
    public async Task<LedgerEntry> WaitForSignatureAsync(KndNode node, DateTimeOffset after, TimeSpan timeout) =>
        await Eventually.UntilAsync<LedgerEntry>(
            () => Task.FromResult(LedgerReader.Read(LedgerPath).Entries.FirstOrDefault(e => e.Home == node.Home.Dir && e.Time > after)),
            timeout,
            () => $"{node.NodeId} to sign after {after:O}\n{Describe()}");

    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var node in Nodes)
        {
            var status = node.StatusAsync().GetAwaiter().GetResult();
            text.AppendLine($"{node.NodeId}: {status?.ToJsonString() ?? "(no answer)"}");
        }

        foreach (var node in Nodes)
        {
            text.AppendLine(node.Diagnostics());
        }

        text.AppendLine(Etcd?.Tail(10) ?? Consul.Tail(30));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var proxy in _proxies.Values.SelectMany(p => p))
        {
            await proxy.DisposeAsync();
        }

        if (_consul is not null)
        {
            await _consul.DisposeAsync();
        }

        if (Etcd is not null)
        {
            await Etcd.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A straggling process may still hold a file; the temp directory is cleaned by the OS.
        }
    }
}
