using NeardSim.Chain;
using NeardSim.Faults;
using NeardSim.Node;

namespace NeardSim.Signing;

/// <summary>
/// Produces this node's blocks: each new head height observed while synced and holding a key is
/// signed when it is a duty height of the key's account. Heights that passed while the process
/// was stopped or frozen are never signed afterwards; only the head at observation time is. The
/// first head a process observes is signed only within <see cref="LateStartLimit"/> of its block time.
/// The faults sim.sign = false / sim-no-sign and a hot-swap catch-up keep a synced node with a
/// key from signing: its duty heights are logged as skipped and stay unsigned for ever.
/// </summary>
internal sealed class SigningLoop
{
    private static readonly TimeSpan MaxTick = TimeSpan.FromMilliseconds(50);

    private readonly NodeState _state;
    private readonly ChainClock _clock;
    private readonly DutySchedule _duties;
    private readonly string _ledgerPath;
    private readonly ExitController _exit;
    private readonly FaultState _faults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastObserved = -1;

    public SigningLoop(
        NodeState state,
        ChainClock clock,
        DutySchedule duties,
        string ledgerPath,
        ExitController exit,
        FaultState faults,
        TimeProvider time,
        ILogger<SigningLoop> logger)
    {
        _state = state;
        _clock = clock;
        _duties = duties;
        _ledgerPath = ledgerPath;
        _exit = exit;
        _faults = faults;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// How late into its slot the first height a process observes may still be signed: running
    /// signers sign within a tick or two of the slot's start (about 30 ms at 500 ms blocks).
    /// </summary>
    public TimeSpan LateStartLimit => TimeSpan.FromMilliseconds(_clock.BlockIntervalMs / 5.0);

    public TimeSpan TickInterval
    {
        get
        {
            var fifth = TimeSpan.FromMilliseconds(_clock.BlockIntervalMs / 5.0);
            return fifth > MaxTick ? MaxTick : fifth < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : fifth;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Tick();
            try
            {
                await Task.Delay(TickInterval, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One observation of the head. Returns the height signed, if any.</summary>
    public long? Tick()
    {
        if (_exit.IsRequested)
        {
            return null;
        }

        var head = _clock.Head;
        if (_state.ExpectedShutdown is { } shutdownAt && head >= shutdownAt)
        {
            if (_exit.Request(0, $"Expected shutdown triggered: head block({head}) >= ({shutdownAt})"))
            {
                _logger.ExpectedShutdownTriggered(head, shutdownAt);
            }

            return null;
        }

        if (head <= _lastObserved)
        {
            return null;
        }

        var firstLook = _lastObserved < 0;
        _lastObserved = head;
        if (!_state.IsSynced || _state.ValidatorKey is not { } key || !_duties.HasDuty(key.AccountId, head))
        {
            return null;
        }

        if (SigningGate.WhyNot(_state, _faults) is { } reason)
        {
            _logger.SkippedDuty(head, key.AccountId, reason);
            return null;
        }

        var late = _time.GetUtcNow() - _clock.BlockTime(head);
        if (firstLook && head > 0 && late > LateStartLimit)
        {
            // The other sims serve this height from its block time on, without this signature: a block
            // signed now would be credited to the account after readers had seen the height without it,
            // which a real chain never shows (its head is the block). So a node that comes up inside a
            // slot waits for the next one. A running loop that a loaded host delays still signs late,
            // as before: skipping those would turn load into missed duties in every test.
            _logger.SkippedDuty(head, key.AccountId, $"came up {late.TotalMilliseconds:0} ms into the height's slot, too late for its block");
            return null;
        }

        var line = new LedgerLine(head, key.AccountId, _state.Home.Dir, Environment.ProcessId, _time.GetUtcNow());

        // As nearcore: the block is counted as produced before it is in the chain (here the ledger),
        // so a reader of the chain that then reads the count finds every block this node made counted.
        if (!_state.Genesis.ChunkOnlyValidators.Contains(key.AccountId))
        {
            _state.CountProduced();
        }

        _state.CountChunkProduced();
        try
        {
            PosixFile.AppendAtomically(_ledgerPath, line.ToUtf8());
        }
        catch (IOException e)
        {
            _logger.LedgerWriteFailed(head, e.Message);
            return null;
        }

        _state.CountSigned();
        _logger.Signed(head, key.AccountId);
        return head;
    }
}
