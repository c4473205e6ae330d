using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.Neard;

/// <summary>
/// The files of neard's home that decide its role (contract §2, as kuutamod lays them out so
/// existing homes work). Only call the Prepare methods while neard is stopped: neard reads the node
/// key and network config only at start.
/// <para>
/// Keys are copied into the home, never symlinked as kuutamod did: the sources usually live in
/// systemd's $CREDENTIALS_DIRECTORY, which is a different path (or gone) after a restart of the
/// unit, so a link left in the home would dangle, and neard would fail to start, or a stale link
/// would name a key the operator has since rotated.
/// </para>
/// </summary>
internal sealed class NeardHome
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly ILogger _logger;

    /// <summary>Whether the tracking in config.json is knd's: a restart promotion after a hot-swap standby keeps what that wrote.</summary>
    private bool _trackingWritten;

    public NeardHome(string path, ILogger logger)
    {
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Told the shard tracking of config.json each time knd prepares the home (for <c>knd status</c>).</summary>
    public Action<NeardTracking>? TrackingPrepared { get; init; }

    /// <summary>network.public_addrs as knd last wrote it before a start: what the running neard advertises once it validates.</summary>
    public IReadOnlyList<string> PreparedPublicAddrs { get; private set; } = [];

    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>Where neard looks for the validator key (config.json <c>validator_key_file</c>, default validator_key.json).</summary>
    public string ValidatorKeyPath => KeyFilePath(NeardConfigFile.Read(ConfigPath), "validator_key_file", "validator_key.json");

    public string NodeKeyPath => KeyFilePath(NeardConfigFile.Read(ConfigPath), "node_key_file", "node_key.json");

    public bool HasValidatorKey
    {
        get
        {
            var path = ValidatorKeyPath;
            return File.Exists(path) || new FileInfo(path).LinkTarget is not null;
        }
    }

    /// <summary>
    /// Passive: no validator key, the host's own node key, the voter address. With
    /// <paramref name="hotSwap"/> (--promotion hot-swap) the home is also made ready for a swap that
    /// takes effect at once, because neard reads neither of these on SIGHUP: it shadow-tracks the
    /// validator's shards (<see cref="ShadowTracking"/>), and <c>network.public_addrs</c> holds this
    /// host's public addresses with the voter node key and port, the ones the swapped-in validator
    /// runs with (nearcore advertises them only while it holds a validator key, so they are inert
    /// until then). Without it (restart promotion) public_addrs is empty and tracking is the operator's.
    /// </summary>
    public void PrepareVoter(string voterNodeKeyFile, IPEndPoint voterNetworkAddr, HotSwapStandby? hotSwap = null)
    {
        var config = NeardConfigFile.Read(ConfigPath);

        // The key goes first: whatever fails after this (a bad voter key too), the home no longer makes a validator.
        AtomicFile.Delete(KeyFilePath(config, "validator_key_file", "validator_key.json"));
        var nodeKey = NeardKeyFile.Read(voterNodeKeyFile);
        AtomicFile.Write(KeyFilePath(config, "node_key_file", "node_key.json"), nodeKey.Content.Span, OwnerReadWrite);
        var publicAddrs = hotSwap is null ? [] : PublicAddrs(nodeKey.PublicKey, hotSwap.PublicAddresses, voterNetworkAddr.Port);
        SetNetwork(config, voterNetworkAddr, publicAddrs);
        var tracking = hotSwap is null
            ? "left to the operator (--promotion restart)"
            : ShadowTracking.Apply(config, hotSwap.AccountId, ConfigPath);
        NeardConfigFile.Write(ConfigPath, config);
        PreparedPublicAddrs = publicAddrs;
        _trackingWritten = hotSwap is not null;
        TrackingPrepared?.Invoke(NeardTracking.From(config, _trackingWritten));
        _logger.HomePreparedVoter(Path, voterNetworkAddr.ToString(), hotSwap is null ? "none (passive)" : DescribePublicAddrs(publicAddrs), tracking);
    }

    /// <summary>
    /// Validating after a restart: the validator key, the validator node key (shared by the hosts of
    /// this validator), the validator address, and <c>"&lt;node public key&gt;@&lt;ip&gt;:&lt;port&gt;"</c> per public address.
    /// </summary>
    public void PrepareValidator(string validatorKeyFile, string validatorNodeKeyFile, IPEndPoint validatorNetworkAddr, IReadOnlyList<IPAddress> publicAddresses)
    {
        var validatorKey = NeardKeyFile.Read(validatorKeyFile);
        var nodeKey = NeardKeyFile.Read(validatorNodeKeyFile);
        var config = NeardConfigFile.Read(ConfigPath);
        var publicAddrs = PublicAddrs(nodeKey.PublicKey, publicAddresses, validatorNetworkAddr.Port);

        AtomicFile.Write(KeyFilePath(config, "node_key_file", "node_key.json"), nodeKey.Content.Span, OwnerReadWrite);
        SetNetwork(config, validatorNetworkAddr, publicAddrs);
        NeardConfigFile.Write(ConfigPath, config);
        PreparedPublicAddrs = publicAddrs;
        TrackingPrepared?.Invoke(NeardTracking.From(config, _trackingWritten));

        // The key goes last, so a failure above leaves a home that does not validate.
        AtomicFile.Write(KeyFilePath(config, "validator_key_file", "validator_key.json"), validatorKey.Content.Span, OwnerReadWrite);
        _logger.HomePreparedValidator(Path, validatorNetworkAddr.ToString(), DescribePublicAddrs(publicAddrs));
    }

    /// <summary>
    /// Hot-swap promotion: only the validator key, for a running neard to pick up on SIGHUP. The node
    /// key and network config (public_addrs and shard tracking too) stay as they are, since neard
    /// does not reload them: <see cref="PrepareVoter"/> put what the validator needs there before
    /// this neard started.
    /// </summary>
    public void InstallValidatorKey(string validatorKeyFile)
    {
        var validatorKey = NeardKeyFile.Read(validatorKeyFile);
        AtomicFile.Write(ValidatorKeyPath, validatorKey.Content.Span, OwnerReadWrite);
        _logger.ValidatorKeyInstalled(Path, validatorKey.AccountId, DescribePublicAddrs(PreparedPublicAddrs));
    }

    /// <summary>Deletes the validator key (file or symlink); true when there was one.</summary>
    public bool RemoveValidatorKey()
    {
        var removed = AtomicFile.Delete(ValidatorKeyPath);
        if (removed)
        {
            _logger.ValidatorKeyRemoved(Path);
        }

        return removed;
    }

    /// <summary>Sets top-level <c>expected_shutdown</c> (neard stops at that height; reloaded on SIGHUP), or removes it when null.</summary>
    public void SetExpectedShutdown(long? height)
    {
        if (height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "a block height is not negative");
        }

        NeardConfigFile.Update(ConfigPath, config =>
        {
            if (height is { } value)
            {
                config["expected_shutdown"] = value;
            }
            else
            {
                config.Remove("expected_shutdown");
            }
        });
        _logger.ExpectedShutdownSet(Path, height?.ToString(CultureInfo.InvariantCulture) ?? "none");
    }

    /// <summary>
    /// The HTTP base address knd polls, from <c>rpc.addr</c> (neard's default 0.0.0.0:3030 when
    /// absent). A wildcard bind address is polled on loopback.
    /// </summary>
    public Uri ReadRpcEndpoint()
    {
        var config = NeardConfigFile.Read(ConfigPath);
        var addr = "0.0.0.0:3030";
        if (config["rpc"] is JsonObject rpc && rpc["addr"] is { } addrNode)
        {
            addr = addrNode.GetValueKind() == JsonValueKind.String
                ? addrNode.GetValue<string>()
                : throw new NeardHomeException($"{ConfigPath}: rpc.addr is not a string");
        }
        else if (config["rpc"] is { } rpcNode && rpcNode.GetValueKind() != JsonValueKind.Object)
        {
            throw new NeardHomeException($"{ConfigPath}: \"rpc\" is not a JSON object");
        }

        if (!IPEndPoint.TryParse(addr, out var endpoint) || endpoint.Port == 0)
        {
            throw new NeardHomeException($"{ConfigPath}: rpc.addr \"{addr}\" is not an IP:port address");
        }

        if (endpoint.Address.Equals(IPAddress.Any))
        {
            endpoint.Address = IPAddress.Loopback;
        }
        else if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            endpoint.Address = IPAddress.IPv6Loopback;
        }

        return new Uri($"http://{endpoint}/");
    }

    /// <summary>public_addrs for the log: an empty list is said in words, not printed as nothing.</summary>
    internal static string DescribePublicAddrs(IReadOnlyList<string> publicAddrs) =>
        publicAddrs.Count == 0 ? "none (no --public-address: as a validator, neard learns its address from its STUN servers)" : string.Join(',', publicAddrs);

    private static List<string> PublicAddrs(string nodePublicKey, IReadOnlyList<IPAddress> addresses, int port) =>
        [.. addresses.Select(ip => $"{nodePublicKey}@{new IPEndPoint(ip, port)}")];

    private void SetNetwork(JsonObject config, IPEndPoint addr, IReadOnlyList<string> publicAddrs)
    {
        var network = NeardConfigFile.GetOrAddObject(config, "network", ConfigPath);
        network["addr"] = addr.ToString();
        network["public_addrs"] = new JsonArray([.. publicAddrs.Select(a => (JsonNode?)JsonValue.Create(a))]);
    }

    private string KeyFilePath(JsonObject config, string field, string defaultName)
    {
        var name = config[field] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : defaultName;
        return System.IO.Path.Combine(Path, name);
    }
}
