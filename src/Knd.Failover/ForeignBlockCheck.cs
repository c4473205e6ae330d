namespace Knd.Failover;

/// <summary>
/// The leader's cross-check of the chain against its own neard (docs/failover-algorithm.md,
/// "Doppelganger guard"): every block the chain credits to the validator account while this node
/// leads is either one its neard produced or another signer's. neard counts the blocks it produced
/// (<c>near_block_produced_total</c>, when it produces them, before they reach its chain), so once
/// the chain shows more blocks of the account than that count rose by, someone else signed the rest:
/// a second signer at this node's own duty heights, which the stranger rule cannot see while the
/// lock is held. It catches the rogue that signs where this node's neard does not (a key that did not
/// take effect, a node that fell behind); a rogue that signs the very heights this node's neard
/// signs makes a fork that <c>author</c> and a counter cannot tell apart. For a chunk-only producer
/// the same holds of its chunks and <c>near_chunk_produced_total</c>.
/// </summary>
internal sealed class ForeignBlockCheck
{
    /// <summary>
    /// Heights past neard's reported head that the count beginning the check may already hold: neard
    /// counts a block when it makes it on top of its head, before the block is the head (one), and
    /// the head and the count are read one after the other, not at one instant (one more). The check
    /// counts only heights above these, whose blocks, if this neard made them, it made after that count.
    /// </summary>
    public const int BaseMargin = 2;

    /// <summary>
    /// Blocks the chain may credit beyond neard's count before they are called another signer's: a
    /// margin over the arithmetic above, since a false alarm pauses the whole cluster. It costs one
    /// more of the other signer's blocks before the alarm.
    /// </summary>
    public const int Slack = 1;

    private NeardProducedCount? _base;
    private long _firstHeight;
    private long _lastHeight;
    private int _credited;
    private long _foreign;

    /// <summary>The first height counted since the check began, and the last credited one.</summary>
    public (long From, long To) Heights => (_firstHeight, _lastHeight);

    /// <summary>What the check counts: "blocks", or "chunks" for a chunk-only producer (whose neard's chunk count is read).</summary>
    public string Kind => _base?.Chunks == true ? "chunks" : "blocks";

    /// <summary>Blocks the chain credited to the account since the check began.</summary>
    public int Credited => _credited;

    /// <summary>How much neard's count rose since the check began, as last read.</summary>
    public long Produced { get; private set; }

    /// <summary>Blocks judged another signer's so far: what the chain credited beyond neard's count and the slack.</summary>
    public long Foreign => _foreign;

    /// <summary>Forgets everything: this node no longer leads (or not yet with its key), or its neard changed.</summary>
    public void Reset()
    {
        _base = null;
        _credited = 0;
        _foreign = 0;
        Produced = 0;
    }

    /// <summary>
    /// Takes one look at the chain (its own blocks, and neard's count read after them when the shell
    /// read it). Returns how many more blocks are now judged another signer's (0 almost always).
    /// </summary>
    public long Observe(ProductionObservedEvent look)
    {
        if (look.NeardProduced is { } count && (_base is not { } start || count.Watch != start.Watch || count.Chunks != start.Chunks || count.Produced < start.Produced))
        {
            // The count begins here (a new neard restarts it at 0). It may hold blocks up to neard's
            // head when it was read, which can be past the head this look covered (the look follows
            // the health poll, and blocks can come faster than polls), plus BaseMargin; only later
            // heights are counted against it.
            Reset();
            _base = count;
            _lastHeight = Math.Max(look.ToHeight, count.Head) + BaseMargin;
            _firstHeight = _lastHeight + 1;
            return 0;
        }

        if (_base is not { } baseline)
        {
            return 0;
        }

        foreach (var block in baseline.Chunks ? look.OwnChunks ?? [] : look.OwnBlocks)
        {
            if (block.Height >= _firstHeight)
            {
                _credited++;
                _lastHeight = Math.Max(_lastHeight, block.Height);
            }
        }

        if (look.NeardProduced is not { } now)
        {
            // Credited blocks wait for the next count: it is read later, so it covers them too.
            return 0;
        }

        Produced = now.Produced - baseline.Produced;
        var foreign = _credited - Produced - Slack;
        if (foreign <= _foreign)
        {
            return 0;
        }

        var fresh = foreign - _foreign;
        _foreign = foreign;
        return fresh;
    }
}
