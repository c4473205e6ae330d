using System.Globalization;
using NeardSim.Chain;
using NeardSim.Home;
using NeardSim.Node;
using NeardSim.Signing;

namespace NeardSim.Rpc;

/// <summary>Builds the RPC answers from the chain clock, the duty schedule, the node state and the ledger.</summary>
internal sealed class NodeViews
{
    private const string Stake = "100000000000000000000000000000000";
    private const string Zero = "0";

    private readonly NodeState _state;
    private readonly ChainClock _clock;
    private readonly DutySchedule _duties;
    private readonly SimHashes _hashes;
    private readonly LedgerIndex _ledger;

    public NodeViews(NodeState state, ChainClock clock, DutySchedule duties, LedgerIndex ledger)
    {
        _state = state;
        _clock = clock;
        _duties = duties;
        _ledger = ledger;
        _hashes = new SimHashes(state.Genesis.ChainId);
    }

    /// <summary>Where RPC actually listens, "HOST:PORT" (set once Kestrel has bound).</summary>
    public string RpcAddr { get; set; } = "";

    public ChainClock Clock => _clock;

    /// <summary>The current epoch's block producers: genesis validators plus this node's signer.</summary>
    public IReadOnlyList<string> ValidatorAccounts()
    {
        var accounts = new List<string>(_state.Genesis.Validators);
        if (_state.ValidatorKey is { } key && !accounts.Contains(key.AccountId, StringComparer.Ordinal))
        {
            accounts.Add(key.AccountId);
        }

        return accounts;
    }

    public StatusView Status()
    {
        var head = _clock.Head;
        var key = _state.ValidatorKey;
        var earliest = Math.Max(0, _clock.EpochStart(head) - (4 * _clock.EpochLength));
        return new StatusView(
            new VersionView(SimVersion.Release, SimVersion.Build, SimVersion.Rustc),
            _state.Genesis.ChainId,
            _state.Genesis.ProtocolVersion,
            SimVersion.ProtocolVersion,
            RpcAddr,
            [.. ValidatorAccounts().Select(a => new ValidatorInfoView(a, false))],
            new SyncInfoView(
                _hashes.Block(head),
                head,
                _hashes.StateRoot(head),
                Rfc3339.FormatNanos(_clock.BlockTime(head)),
                !_state.IsSynced,
                _hashes.Block(earliest),
                earliest,
                Rfc3339.FormatNanos(_clock.BlockTime(earliest)),
                _hashes.Epoch(_clock.EpochOf(head)),
                _clock.EpochStart(head)),
            key?.AccountId,
            key?.PublicKey,
            _state.NodeKey.PublicKey,
            key?.PublicKey,
            (long)_state.Uptime.TotalSeconds,
            _hashes.Genesis(_state.Genesis.GenesisTime));
    }

    /// <summary>The block at <paramref name="height"/>; callers check it is not above the head.</summary>
    public BlockView Block(long height)
    {
        var epoch = _clock.EpochOf(height);
        var prev = Math.Max(0, height - 1);
        var timestamp = _clock.BlockTimestampNanos(height);
        var header = new BlockHeaderView(
            height,
            height == 0 ? null : prev,
            _hashes.Epoch(epoch),
            _hashes.Epoch(epoch + 1),
            _hashes.Block(height),
            height == 0 ? _hashes.Of("zero") : _hashes.Block(prev),
            _hashes.StateRoot(prev),
            _hashes.Of($"body:{height}"),
            _hashes.Of($"receipts:{height}"),
            _hashes.Of($"chunk_headers:{height}"),
            _hashes.Of($"chunk_tx:{height}"),
            _hashes.Of($"outcome:{height}"),
            1,
            _hashes.Of("challenges"),
            timestamp,
            timestamp.ToString(CultureInfo.InvariantCulture),
            _hashes.Of($"random:{height}"),
            [],
            [true],
            "100000000",
            height,
            Zero,
            Zero,
            "2000000000000000000000000000000000",
            [],
            _hashes.Block(Math.Max(0, height - 2)),
            _hashes.Block(Math.Max(0, height - 1)),
            _hashes.Of($"bp:{epoch + 1}"),
            _hashes.Of($"merkle:{height}"),
            null,
            [],
            "ed25519:" + _hashes.Of($"signature:{height}") + _hashes.Of($"signature2:{height}"),
            SimVersion.ProtocolVersion);
        return new BlockView(Author(height), header, []);
    }

    public EpochValidatorInfoView Validators()
    {
        var head = _clock.Head;
        var epochStart = _clock.EpochStart(head);
        var current = new List<CurrentEpochValidatorView>();
        var next = new List<NextEpochValidatorView>();
        foreach (var account in ValidatorAccounts())
        {
            var publicKey = PublicKeyOf(account);
            var produced = _ledger.CountProduced(account, epochStart, head);
            var expected = _duties.CountDuties(account, epochStart, head);
            current.Add(new CurrentEpochValidatorView(
                account, publicKey, false, Stake, [0], produced, expected, produced, expected,
                [produced], [expected], 0, 0, [0], [0], [0]));
            next.Add(new NextEpochValidatorView(account, publicKey, Stake, [0]));
        }

        return new EpochValidatorInfoView(current, next, [], [], [], [], epochStart, _clock.EpochOf(head));
    }

    public IReadOnlyList<HeightRange> MaintenanceWindowsFor(string accountId)
    {
        var head = _clock.Head;
        return MaintenanceWindows.Compute(head, _clock.EpochEnd(head), h => _duties.HasDuty(accountId, h));
    }

    public bool IsCurrentEpochId(string epochId) => epochId == _hashes.Epoch(_clock.EpochOf(_clock.Head));

    private string PublicKeyOf(string account) =>
        _state.ValidatorKey is { } key && key.AccountId == account ? key.PublicKey : _hashes.PublicKeyFor(account);

    private string Author(long height)
    {
        var accounts = ValidatorAccounts();
        foreach (var account in accounts)
        {
            if (_duties.HasDuty(account, height))
            {
                return account;
            }
        }

        return accounts.Count > 0 ? accounts[(int)(height % accounts.Count)] : "sim";
    }
}
