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
/// signs makes a fork that <c>author</c> and a counter cannot tell apart.
/// </summary>
internal sealed class ForeignBlockCheck
{
    /// <summary>
    /// Blocks the chain may credit beyond neard's count without a second signer: a block this neard
    /// produced just before the count that began the check was read, but whose height the chain watch
    /// reached only after it.
    /// </summary>
    public const int Slack = 1;

    private NeardProducedCount? _base;
    private long _firstHeight;
    private long _lastHeight;
    private int _credited;
    private long _foreign;

    /// <summary>The first height counted since the check began, and the last credited one.</summary>
    public (long From, long To) Heights => (_firstHeight, _lastHeight);

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
        if (look.NeardProduced is { } count && (_base is not { } start || count.Watch != start.Watch || count.Blocks < start.Blocks))
        {
            // The count begins here (a new neard restarts it at 0): blocks up to this look's head may
            // have been produced before it was read, so only later heights are counted against it.
            Reset();
            _base = count;
            _firstHeight = look.ToHeight + 1;
            _lastHeight = look.ToHeight;
            return 0;
        }

        if (_base is not { } baseline)
        {
            return 0;
        }

        foreach (var block in look.OwnBlocks)
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

        Produced = now.Blocks - baseline.Blocks;
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
