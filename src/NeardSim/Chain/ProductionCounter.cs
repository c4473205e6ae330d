using NeardSim.Signing;

namespace NeardSim.Chain;

/// <summary>
/// What an account produced, from the duty schedule and the signing ledger: a duty height counts as
/// produced when the ledger has a line for that account at that height (from any sim).
/// </summary>
internal sealed class ProductionCounter
{
    private readonly ChainClock _clock;
    private readonly DutyCache _duties;
    private readonly LedgerIndex _ledger;

    public ProductionCounter(ChainClock clock, DutyCache duties, LedgerIndex ledger)
    {
        _clock = clock;
        _duties = duties;
        _ledger = ledger;
    }

    public DutySchedule Schedule => _duties.Schedule;

    /// <summary>Reads what the ledger gained since the last call; once per request.</summary>
    public void Refresh(long head) => _ledger.Refresh(_clock.EpochOf(head));

    /// <summary>
    /// Block production of <paramref name="accountId"/> in <paramref name="epoch"/> as seen at
    /// <paramref name="head"/>. A finished epoch counts all its heights. The head's epoch counts the
    /// heights before the head, and the head itself only once it is signed: as in nearcore, a
    /// height is known to be skipped only when a later block exists, and the signing loop needs a
    /// moment after the head moves to write its line.
    /// </summary>
    public Production Blocks(string accountId, long epoch, long head)
    {
        var start = epoch * _clock.EpochLength;
        var last = Math.Min(head, start + _clock.EpochLength - 1) - start;
        if (last < 0)
        {
            return default;
        }

        var duties = _duties.For(accountId, epoch);
        var signed = _ledger.Signed(accountId, epoch);
        var expected = duties.Count(0, last);
        var produced = duties.CountBoth(signed, 0, last);
        if (start + last == head && duties[last] && signed?[last] != true)
        {
            expected--;
        }

        return new Production(expected, produced);
    }

    public bool HasDuty(string accountId, long height) => _duties.Schedule.HasDuty(accountId, height);

    /// <summary>A duty height of <paramref name="accountId"/> that the ledger shows signed.</summary>
    public bool Produced(string accountId, long height) =>
        HasDuty(accountId, height)
        && _ledger.Signed(accountId, _clock.EpochOf(height))?[height - _clock.EpochStart(height)] == true;
}
