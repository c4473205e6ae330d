using System.Globalization;
using NeardSim.Chain;
using NeardSim.Home;
using NeardSim.Node;
using NeardSim.Signing;

namespace NeardSim.Rpc;

/// <summary>Builds the RPC answers from the chain clock, the duty schedule, the node state and the ledger.</summary>
internal sealed class NodeViews
{
    /// <summary>
    /// The author of every block no validator of this chain produced: heights without a known
    /// validator's duty, and duty heights nobody signed (that validator's block was skipped).
    /// </summary>
    public const string OtherProducer = "sim-other-producer";

    private const string Stake = "100000000000000000000000000000000";
    private const string Zero = "0";

    private readonly NodeState _state;
    private readonly ChainClock _clock;
    private readonly DutySchedule _duties;
    private readonly SimHashes _hashes;
    private readonly ProductionCounter _production;

    public NodeViews(NodeState state, ChainClock clock, DutySchedule duties, LedgerIndex ledger)
    {
        _state = state;
        _clock = clock;
        _duties = duties;
        _production = new ProductionCounter(clock, new DutyCache(duties, clock.EpochLength), ledger);
        _hashes = new SimHashes(state.Genesis.ChainId);
    }

    /// <summary>Where RPC actually listens, "HOST:PORT" (set once Kestrel has bound).</summary>
    public string RpcAddr { get; set; } = "";

    public ChainClock Clock => _clock;

    /// <summary>The block producers of every epoch: genesis validators plus this node's signer.</summary>
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
        var earliest = ChainHistory.EarliestBlock(_clock, head);
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

    /// <summary>The first height whose block is still kept (status.earliest_block_height).</summary>
    public long EarliestBlock(long head) => ChainHistory.EarliestBlock(_clock, head);

    /// <summary>The block at <paramref name="height"/>; callers check it is kept and not above the head.</summary>
    public BlockView Block(long height)
    {
        _production.Refresh(_clock.Head);
        var author = BlockAuthor(height);
        var chunk = IncludedChunk(height);
        var chunkProduced = chunk.HeightCreated == height;
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
            chunkProduced ? 1 : 0,
            _hashes.Of("challenges"),
            timestamp,
            timestamp.ToString(CultureInfo.InvariantCulture),
            _hashes.Of($"random:{height}"),
            [],
            [chunkProduced],
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
        return new BlockView(author, header, [chunk]);
    }

    /// <summary>
    /// The chunk of shard 0 that the block at <paramref name="height"/> includes (<c>chunk</c> by block
    /// and shard), with its producer; callers check the block is kept and not above the head.
    /// </summary>
    public ChunkView Chunk(long height)
    {
        _production.Refresh(_clock.Head);
        var header = IncludedChunk(height);
        return new ChunkView(ChunkProducer(header.HeightCreated).Author, header, [], []);
    }

    /// <summary>
    /// The validators of <paramref name="epoch"/> as seen at <paramref name="head"/>: the head's
    /// epoch so far, or a finished epoch whole. Chunk and endorsement duties coincide with block
    /// duties on the one shard (0), so their counts equal the block counts; a chunk-only validator
    /// has the chunk and endorsement counts and no blocks.
    /// </summary>
    public EpochValidatorInfoView Validators(long epoch, long head)
    {
        _production.Refresh(head);
        var accounts = ValidatorAccounts();
        var current = new List<CurrentEpochValidatorView>();
        var next = new List<NextEpochValidatorView>();
        foreach (var account in accounts)
        {
            var publicKey = PublicKeyOf(account);
            var (expected, produced) = _production.Blocks(account, epoch, head);
            var (blocksExpected, blocksProduced) = IsChunkOnly(account) ? (0L, 0L) : (expected, produced);
            current.Add(new CurrentEpochValidatorView(
                account, publicKey, false, Stake, [0],
                blocksProduced, blocksExpected,
                produced, expected, [produced], [expected],
                produced, expected, [produced], [expected], [0]));
            next.Add(new NextEpochValidatorView(account, publicKey, Stake, [0]));
        }

        IReadOnlyList<KickoutView> kickouts = epoch == 0
            ? []
            : [.. Kickouts.Compute(
                    accounts.Select(a =>
                    {
                        var previous = _production.Blocks(a, epoch - 1, head);
                        return (a, IsChunkOnly(a) ? default : previous, previous, previous);
                    }),
                    _state.Genesis.Kickout)
                .Select(KickoutView.From)];
        return new EpochValidatorInfoView(current, next, [], [], [], kickouts, epoch * _clock.EpochLength, epoch);
    }

    /// <summary>The epoch whose id is <paramref name="epochId"/>, among those still kept at <paramref name="head"/>.</summary>
    public long? EpochWithId(string epochId, long head)
    {
        var headEpoch = _clock.EpochOf(head);
        for (var epoch = headEpoch; epoch >= ChainHistory.OldestEpoch(headEpoch); epoch--)
        {
            if (_hashes.Epoch(epoch) == epochId)
            {
                return epoch;
            }
        }

        return null;
    }

    /// <summary>The finished epoch whose last block has hash <paramref name="blockHash"/>, if kept.</summary>
    public long? EpochEndingWithBlock(string blockHash, long head)
    {
        var headEpoch = _clock.EpochOf(head);
        for (var epoch = headEpoch - 1; epoch >= ChainHistory.OldestEpoch(headEpoch); epoch--)
        {
            if (_hashes.Block(_clock.EpochEnd(epoch * _clock.EpochLength) - 1) == blockHash)
            {
                return epoch;
            }
        }

        return null;
    }

    public IReadOnlyList<HeightRange> MaintenanceWindowsFor(string accountId)
    {
        var head = _clock.Head;
        return MaintenanceWindows.Compute(head, _clock.EpochEnd(head), h => _duties.HasDuty(accountId, h));
    }

    /// <summary>The chain's key for a validator: genesis.json's, else this node's key file's, else a made-up one.</summary>
    private string PublicKeyOf(string account) =>
        _state.Genesis.ValidatorPublicKeys.TryGetValue(account, out var genesisKey) ? genesisKey
        : _state.ValidatorKey is { } key && key.AccountId == account ? key.PublicKey
        : _hashes.PublicKeyFor(account);

    /// <summary>How far back a block looks for the last chunk of shard 0 when its own was missed.</summary>
    private const int ChunkLookBack = 64;

    private bool IsChunkOnly(string account) => _state.Genesis.ChunkOnlyValidators.Contains(account);

    /// <summary>
    /// The first block producer (genesis order, then this node's signer; chunk-only validators make
    /// no blocks) with duty at the height and a ledger line for it; otherwise <see cref="OtherProducer"/>.
    /// </summary>
    private string BlockAuthor(long height)
    {
        foreach (var account in ValidatorAccounts())
        {
            if (!IsChunkOnly(account) && _production.Produced(account, height))
            {
                return account;
            }
        }

        return OtherProducer;
    }

    /// <summary>
    /// Who made the chunk of shard 0 at <paramref name="height"/>: a chunk-only validator with duty and
    /// a ledger line there first, then a block producer's (its block and chunk go together), else
    /// <see cref="OtherProducer"/>. The chunk is missing when a validator had that duty and nobody
    /// signed it.
    /// </summary>
    private (string Author, bool Produced) ChunkProducer(long height)
    {
        var missed = false;
        foreach (var chunkOnly in new[] { true, false })
        {
            foreach (var account in ValidatorAccounts())
            {
                if (IsChunkOnly(account) != chunkOnly)
                {
                    continue;
                }

                if (_production.Produced(account, height))
                {
                    return (account, true);
                }

                missed |= _production.HasDuty(account, height);
            }
        }

        return (OtherProducer, !missed);
    }

    /// <summary>
    /// The header of the chunk of shard 0 in the block at <paramref name="height"/>: the chunk made at that
    /// height, or when it was missed the last one made before (as nearcore carries a missing
    /// chunk's previous header), looking back <see cref="ChunkLookBack"/> heights at most.
    /// </summary>
    private ChunkHeaderView IncludedChunk(long height)
    {
        var created = height;
        while (created > 0 && created > height - ChunkLookBack && !ChunkProducer(created).Produced)
        {
            created--;
        }

        return new ChunkHeaderView(
            _hashes.Of($"chunk:{created}"),
            _hashes.Block(Math.Max(0, created - 1)),
            created,
            created,
            0,
            "ed25519:" + _hashes.Of($"chunk_signature:{created}"));
    }
}
